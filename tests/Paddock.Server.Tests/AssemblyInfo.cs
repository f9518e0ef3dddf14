// Renders keep both cores busy; tests of one-second deadlines must not compete with each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
