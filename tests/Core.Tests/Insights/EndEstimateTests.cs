using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Insights;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Core.Tests.Insights;

public sealed class EndEstimateTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(TestBatches.Created);

    /// <summary>Similar batches took 2 h at the median, 1 h to 4 h (10th to 90th percentile); finalizing took 10 min.</summary>
    private static readonly SimilarBatches Similar = new(40, true,
        new PhaseSpread(40, TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4)),
        new PhaseSpread(40, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(3)),
        new PhaseSpread(40, TimeSpan.FromMinutes(50), TimeSpan.FromHours(1.7), TimeSpan.FromHours(3.5)),
        new PhaseSpread(40, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30)));

    private static (Batch Batch, BatchInsights Insights) Running(string status, int total, int done, DateTimeOffset now)
    {
        var batch = BatchReader.Read(TestBatches.Json("batch_1", status, TestBatches.Created, total: total, completed: done, failed: 0, change: json =>
        {
            if (status == "finalizing")
            {
                json["finalizing_at"] = TestBatches.Created + 3_000;
            }
        })).Batch!;
        return (batch, BatchInsights.Of(batch, now));
    }

    [Fact]
    public void AtTheStart_HistoryDecides()
    {
        var now = Created.AddMinutes(10);
        var (batch, insights) = Running("in_progress", 1_000, 0, now);

        var estimate = EndEstimate.Of(batch, insights, ProgressProjection.None, Similar, now);

        Assert.Equal((EstimateBasis.History, Created.AddHours(2)), (estimate.Basis, estimate.End));
        Assert.Equal((Created.AddHours(1), Created.AddHours(4)), (estimate.UsualFrom, estimate.UsualTo));
    }

    [Fact]
    public void HalfWay_PaceAndHistoryWeighHalfEach()
    {
        var now = Created.AddHours(1);
        var (batch, insights) = Running("in_progress", 1_000, 500, now);
        var pace = new ProgressProjection(10, ThroughputBasis.Recent, Created.AddHours(3), null);

        var estimate = EndEstimate.Of(batch, insights, pace, Similar, now);

        Assert.Equal(EstimateBasis.PaceAndHistory, estimate.Basis);
        Assert.Equal(0.5, estimate.PaceWeight);
        Assert.Equal(Created.AddHours(2.5), estimate.End);
    }

    [Fact]
    public void WithNothingLikeIt_ThePaceAlone()
    {
        var now = Created.AddHours(1);
        var (batch, insights) = Running("in_progress", 1_000, 100, now);
        var pace = new ProgressProjection(2, ThroughputBasis.Recent, Created.AddHours(9), null);

        var estimate = EndEstimate.Of(batch, insights, pace, null, now);

        Assert.Equal((EstimateBasis.Pace, Created.AddHours(9)), (estimate.Basis, estimate.End));
        Assert.Null(estimate.UsualTo);
    }

    [Fact]
    public void PastTheMedian_TheSlowerOnesTime_PastThemToo_NothingFromHistory()
    {
        var (batch, insights) = Running("in_progress", 1_000, 0, Created.AddHours(3));
        Assert.Equal(Created.AddHours(4), EndEstimate.Of(batch, insights, ProgressProjection.None, Similar, Created.AddHours(3)).End);

        var late = EndEstimate.Of(batch, BatchInsights.Of(batch, Created.AddHours(5)), ProgressProjection.None, Similar, Created.AddHours(5));
        Assert.Equal((EstimateBasis.None, true), (late.Basis, late.PastUsual));
    }

    [Fact]
    public void Finalizing_EndsWhenFinalizingUsuallyDoes()
    {
        var now = Created.AddSeconds(3_000 + 120);
        var (batch, insights) = Running("finalizing", 100, 100, now);

        var estimate = EndEstimate.Of(batch, insights, ProgressProjection.None, Similar, now);

        Assert.Equal((EstimateBasis.History, Created.AddSeconds(3_000 + 600)), (estimate.Basis, estimate.End));
    }
}
