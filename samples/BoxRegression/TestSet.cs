using System;
using System.Collections.Generic;
using System.Linq;

namespace BoxRegression
{
    /// <summary>The clean evaluation data: scenes from their own seed, with fixed proposals (no ground truth appended).</summary>
    internal sealed record TestSet(Scene[] Scenes, List<Box>[] Proposals)
    {
        public static TestSet Create(int count, int seed, ProposalGenerator proposals)
        {
            var scenes = SceneGenerator.Generate(count, seed);
            var rng = new Random(seed ^ 0x5EED);
            return new TestSet(scenes, scenes.Select(s => proposals.Propose(s, rng)).ToArray());
        }
    }
}
