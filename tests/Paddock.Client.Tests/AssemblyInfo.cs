// Renders keep the cores busy; tests that cut connections mid-render must not compete with each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
