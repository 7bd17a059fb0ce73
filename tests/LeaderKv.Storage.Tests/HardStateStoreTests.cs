using LeaderKv.Core;
using LeaderKv.Storage.State;

namespace LeaderKv.Storage.Tests;

public sealed class HardStateStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string StatePath => _dir.Sub(HardStateStore.FileName);

    /// Goal: a node that never saved starts at term 0 with no vote. Method: open an empty directory and load.
    [Fact]
    public void A_data_directory_without_a_state_file_loads_the_initial_state()
    {
        var state = HardStateStore.Open(_dir.Path).Load();

        Assert.Equal(HardState.Initial, state);
        Assert.False(File.Exists(StatePath));
    }

    /// Goal: term, vote, incarnation and fingerprint come back exactly after a restart. Method: save, open a new store, load.
    [Fact]
    public void A_saved_state_comes_back_unchanged_from_a_new_store()
    {
        var saved = new HardState(7, "node-3", -4_611_686_018_427_387_904, "fp:ab12");
        HardStateStore.Open(_dir.Path).Save(saved);

        Assert.Equal(saved, HardStateStore.Open(_dir.Path).Load());
    }

    /// Goal: a term without a vote and a state without a fingerprint keep their nulls. Method: round trip with nulls.
    [Fact]
    public void A_state_without_vote_or_fingerprint_round_trips_with_its_nulls()
    {
        HardStateStore.Open(_dir.Path).Save(new HardState(3, null, 0, null));

        Assert.Equal(new HardState(3, null, 0, null), HardStateStore.Open(_dir.Path).Load());
    }

    /// Goal: a crash between writing the temporary file and the rename leaves the old state in force,
    /// and the leftover is removed. Method: save, plant a garbage "state.tmp", reopen.
    [Fact]
    public void A_temporary_file_left_by_a_crash_is_ignored_and_deleted()
    {
        var saved = new HardState(2, "node-1", 11, null);
        HardStateStore.Open(_dir.Path).Save(saved);
        File.WriteAllBytes(StatePath + ".tmp", [1, 2, 3]);

        var store = HardStateStore.Open(_dir.Path);

        Assert.False(File.Exists(StatePath + ".tmp"));
        Assert.Equal(saved, store.Load());
    }

    /// Goal: a later save replaces the earlier one whole, and leaves no temporary file. Method: save twice, list the directory.
    [Fact]
    public void A_save_replaces_the_previous_state_and_leaves_only_the_state_file()
    {
        var store = HardStateStore.Open(_dir.Path);
        store.Save(new HardState(1, "node-1", 5, "fp"));
        store.Save(new HardState(2, null, 0, "fp"));

        Assert.Equal(new HardState(2, null, 0, "fp"), HardStateStore.Open(_dir.Path).Load());
        Assert.Equal([HardStateStore.FileName], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    /// Goal: a damaged state file is refused, never guessed. Method: flip one byte at every offset in turn.
    [Fact]
    public void A_flipped_byte_anywhere_in_the_state_file_is_reported_as_corruption()
    {
        HardStateStore.Open(_dir.Path).Save(new HardState(9, "node-2", 42, "fp:cafe"));
        var good = File.ReadAllBytes(StatePath);
        for (var offset = 0; offset < good.Length; offset++)
        {
            var bad = (byte[])good.Clone();
            bad[offset] ^= 0x5A;
            File.WriteAllBytes(StatePath, bad);

            var error = Assert.Throws<StorageCorruptionException>(() => HardStateStore.Open(_dir.Path).Load());
            Assert.Equal(StatePath, error.Path);
        }
    }

    /// Goal: a truncated or empty state file is corruption too. Method: cut the file short.
    [Fact]
    public void A_truncated_state_file_is_reported_as_corruption()
    {
        HardStateStore.Open(_dir.Path).Save(new HardState(9, "node-2", 42, "fp"));
        var good = File.ReadAllBytes(StatePath);
        foreach (var length in new[] { 0, 4, good.Length - 1 })
        {
            File.WriteAllBytes(StatePath, good[..length]);
            Assert.Throws<StorageCorruptionException>(() => HardStateStore.Open(_dir.Path).Load());
        }
    }

    /// Goal: the term never goes down, and a vote once granted in a term never changes. Method: try both.
    [Fact]
    public void Saving_a_lower_term_or_a_second_vote_in_one_term_is_an_invariant_violation()
    {
        var store = HardStateStore.Open(_dir.Path);
        store.Save(new HardState(5, "node-1", 100, null));

        Assert.Throws<InvariantViolationException>(() => store.Save(new HardState(4, null, 0, null)));
        Assert.Throws<InvariantViolationException>(() => store.Save(new HardState(5, "node-2", 100, null)));
        Assert.Throws<InvariantViolationException>(() => store.Save(new HardState(5, "node-1", 101, null)));
        Assert.Throws<InvariantViolationException>(() => store.Save(new HardState(5, null, 0, null)));
        store.Save(new HardState(5, "node-1", 100, null));
        store.Save(new HardState(6, "node-2", 7, null));
        Assert.Equal(new HardState(6, "node-2", 7, null), HardStateStore.Open(_dir.Path).Load());
    }

    /// Goal: a vote can be granted in a term first entered without one. Method: save the term, then the vote.
    [Fact]
    public void A_vote_can_be_added_to_a_term_that_had_none()
    {
        var store = HardStateStore.Open(_dir.Path);
        store.Save(new HardState(5, null, 0, null));
        store.Save(new HardState(5, "node-4", 9, null));

        Assert.Equal("node-4", HardStateStore.Open(_dir.Path).Load().VotedFor);
    }

    /// Goal: inputs the format cannot hold faithfully are refused before anything is written. Method: bad fields.
    [Fact]
    public void Saving_out_of_range_fields_is_refused()
    {
        var store = HardStateStore.Open(_dir.Path);

        Assert.Throws<ArgumentOutOfRangeException>(() => store.Save(new HardState(-1, null, 0, null)));
        Assert.Throws<ArgumentException>(() => store.Save(new HardState(1, null, 3, null)));
        Assert.Throws<ArgumentException>(() => store.Save(new HardState(1, "", 3, null)));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Save(new HardState(1, new string('n', 256), 3, null)));
        Assert.False(File.Exists(StatePath));
    }

    /// Goal: a data directory remembers the cluster it was created for and refuses another one with
    /// a message naming both. Method: bind, bind the same again from a new store, bind a different one.
    [Fact]
    public void A_data_directory_is_bound_to_its_first_cluster_fingerprint_and_refuses_another()
    {
        var bound = HardStateStore.Open(_dir.Path).BindCluster("peers+w2");
        Assert.Equal("peers+w2", bound.ClusterFingerprint);

        var store = HardStateStore.Open(_dir.Path);
        Assert.Equal(bound, store.BindCluster("peers+w2"));
        var error = Assert.Throws<ClusterFingerprintMismatchException>(() => store.BindCluster("peers+w3"));
        Assert.Equal("peers+w2", error.StoredFingerprint);
        Assert.Equal("peers+w3", error.ConfiguredFingerprint);
        Assert.Contains("WRITE_QUORUM", error.Message, StringComparison.Ordinal);
        Assert.Equal("peers+w2", HardStateStore.Open(_dir.Path).Load().ClusterFingerprint);
    }

    /// Goal: binding keeps the term and vote already saved (a directory from before fingerprints). Method: save, then bind.
    [Fact]
    public void Binding_a_fingerprint_keeps_the_saved_term_and_vote()
    {
        HardStateStore.Open(_dir.Path).Save(new HardState(4, "node-0", 8, null));

        HardStateStore.Open(_dir.Path).BindCluster("fp");

        Assert.Equal(new HardState(4, "node-0", 8, "fp"), HardStateStore.Open(_dir.Path).Load());
    }
}
