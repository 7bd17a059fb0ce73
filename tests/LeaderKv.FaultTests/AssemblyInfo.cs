// Each test runs several node processes; on a two-core CI machine running them side by side would
// only make every test slower and its deadlines tighter.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
