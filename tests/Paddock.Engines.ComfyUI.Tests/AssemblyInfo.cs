// The fakes render with ffmpeg and Paddock conforms with ffmpeg: tests that share two cores run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
