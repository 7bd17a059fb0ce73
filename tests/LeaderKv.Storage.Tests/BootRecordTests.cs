using LeaderKv.Storage.State;

namespace LeaderKv.Storage.Tests;

public sealed class BootRecordTests : IDisposable
{
    private const string FirstBoot = "boot-a";
    private const string SecondBoot = "boot-b";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private BootRecord Begin(string? bootId, FsyncPolicy fsync = FsyncPolicy.Interval) =>
        BootRecord.Begin(_dir.Path, fsync, () => bootId);

    /// Simulates the node writing its data, so a missing boot record means "unknown", not "first start".
    private void WriteData() => File.WriteAllText(_dir.Sub("state"), "x");

    /// Goal: an empty data directory is a first start, with nothing lost and no taint. Method: begin on an empty directory.
    [Fact]
    public void The_first_start_in_an_empty_directory_has_lost_nothing()
    {
        var check = Begin(FirstBoot).Check;

        Assert.Equal(PreviousRun.None, check.PreviousRun);
        Assert.False(check.LostPossible);
        Assert.False(check.Tainted);
        Assert.True(File.Exists(_dir.Sub(BootRecord.FileName)));
    }

    /// Goal: a clean shutdown is recognised even after a reboot. Method: begin, mark clean, begin on another boot id.
    [Fact]
    public void A_clean_shutdown_is_recognised_after_a_reboot()
    {
        Begin(FirstBoot).MarkCleanShutdown();
        WriteData();

        var check = Begin(SecondBoot).Check;

        Assert.Equal(PreviousRun.CleanShutdown, check.PreviousRun);
        Assert.False(check.LostPossible);
        Assert.False(check.Tainted);
        Assert.Equal(FirstBoot, check.PreviousBootId);
        Assert.Equal(SecondBoot, check.BootId);
    }

    /// Goal: kill -9 without a reboot loses nothing to the OS, whatever the policy. Method: begin twice on one boot id without the mark.
    [Fact]
    public void A_crash_without_a_reboot_loses_nothing_even_under_fsync_never()
    {
        Begin(FirstBoot, FsyncPolicy.Never);
        WriteData();

        var check = Begin(FirstBoot, FsyncPolicy.Never).Check;

        Assert.Equal(PreviousRun.CrashedSameBoot, check.PreviousRun);
        Assert.False(check.LostPossible);
        Assert.False(check.Tainted);
    }

    /// Goal: a machine crash under Interval may have lost acknowledged writes, and the node is tainted. Method: begin, change the boot id, begin.
    [Fact]
    public void An_unclean_reboot_under_fsync_interval_taints_the_node()
    {
        Begin(FirstBoot, FsyncPolicy.Interval);
        WriteData();

        var check = Begin(SecondBoot, FsyncPolicy.Always).Check;

        Assert.Equal(PreviousRun.UncleanReboot, check.PreviousRun);
        Assert.True(check.LostPossible);
        Assert.True(check.Tainted);
    }

    /// Goal: a machine crash under Always loses nothing acknowledged. Method: begin under Always, change the boot id, begin.
    [Fact]
    public void An_unclean_reboot_under_fsync_always_loses_nothing()
    {
        Begin(FirstBoot, FsyncPolicy.Always);
        WriteData();

        var check = Begin(SecondBoot, FsyncPolicy.Always).Check;

        Assert.Equal(PreviousRun.UncleanReboot, check.PreviousRun);
        Assert.False(check.LostPossible);
        Assert.False(check.Tainted);
    }

    /// Goal: writes a crashed Never run left in the page cache are still at risk in the next run,
    /// even if that one uses Always. Method: Never, crash, Always on the same boot, reboot.
    [Fact]
    public void Unsynced_writes_of_a_crashed_run_stay_at_risk_in_the_run_after_it()
    {
        Begin(FirstBoot, FsyncPolicy.Never);
        WriteData();
        Begin(FirstBoot, FsyncPolicy.Always);

        var check = Begin(SecondBoot, FsyncPolicy.Always).Check;

        Assert.True(check.LostPossible);
        Assert.True(check.Tainted);
    }

    /// Goal: the taint survives crashes and clean shutdowns until it is cleared. Method: taint, crash, shut down cleanly, clear.
    [Fact]
    public void A_taint_is_kept_across_restarts_until_it_is_cleared()
    {
        Begin(FirstBoot);
        WriteData();
        Assert.True(Begin(SecondBoot).Check.Tainted);

        Assert.True(Begin(SecondBoot).Check.Tainted);
        var record = Begin(SecondBoot);
        Assert.True(record.Tainted);
        record.MarkCleanShutdown();
        var afterClean = Begin(SecondBoot);
        Assert.True(afterClean.Check.Tainted);

        afterClean.ClearTaint();

        Assert.False(afterClean.Tainted);
        Assert.False(Begin(SecondBoot).Check.Tainted);
    }

    /// Goal: without a boot id a crash cannot be told from a reboot, so it counts as a reboot. Method: boot id source returns null.
    [Fact]
    public void Without_a_boot_id_an_unclean_end_counts_as_a_reboot()
    {
        Begin(null);
        WriteData();

        var check = Begin(null).Check;

        Assert.Equal(PreviousRun.UncleanReboot, check.PreviousRun);
        Assert.True(check.Tainted);
    }

    /// Goal: data without a boot record (an older version) is the worst case. Method: write data, then begin.
    [Fact]
    public void Data_without_a_boot_record_counts_as_unknown_and_tainted()
    {
        WriteData();

        var check = Begin(FirstBoot, FsyncPolicy.Always).Check;

        Assert.Equal(PreviousRun.Unknown, check.PreviousRun);
        Assert.True(check.Tainted);
        Assert.NotNull(check.Problem);
    }

    /// Goal: a damaged boot record is reported and treated as the worst case, not trusted. Method: flip a byte, begin.
    [Fact]
    public void A_damaged_boot_record_counts_as_unknown_and_tainted()
    {
        Begin(FirstBoot).MarkCleanShutdown();
        WriteData();
        TestData.FlipByte(_dir.Sub(BootRecord.FileName), 6);

        var check = Begin(FirstBoot).Check;

        Assert.Equal(PreviousRun.Unknown, check.PreviousRun);
        Assert.True(check.Tainted);
        Assert.Contains("damaged", check.Problem, StringComparison.Ordinal);
    }

    /// Goal: a temporary file from a crash mid-write neither counts as data nor survives. Method: plant one in an empty directory.
    [Fact]
    public void A_leftover_temporary_boot_record_is_ignored_and_deleted()
    {
        File.WriteAllBytes(_dir.Sub(BootRecord.FileName + ".tmp"), [9, 9]);

        var check = Begin(FirstBoot).Check;

        Assert.Equal(PreviousRun.None, check.PreviousRun);
        Assert.False(File.Exists(_dir.Sub(BootRecord.FileName + ".tmp")));
    }

    /// Goal: on Linux the real boot id is read, and it is stable within one boot. Method: read it twice.
    [Fact]
    public void The_linux_boot_id_is_stable_within_a_boot()
    {
        var first = BootRecord.ReadLinuxBootId();
        if (OperatingSystem.IsLinux())
        {
            Assert.NotNull(first);
        }

        Assert.Equal(first, BootRecord.ReadLinuxBootId());
    }
}
