using Orleans.Concurrency;
using PyChecks.Orleans.Dispatch;
using PyChecks.Orleans.Placement;

namespace PyChecks.Orleans.Grains;

/// <summary>A host's member grain: answers from that host's <see cref="ClusterPeers"/>. Reentrant: an answer only reads, or stops instances that run here without an activation.</summary>
[MemberPlacement]
[Reentrant]
internal sealed class ClusterMemberGrain(ClusterPeers peers) : Grain, IClusterMemberGrain
{
    public Task<MemberReport> Exchange(MemberQuery query) => peers.AnswerAsync(query);

    public Task Leaving(string address)
    {
        peers.PeerLeaving(address);
        return Task.CompletedTask;
    }
}
