/// What performing an event produced: timeline entries, problems (something that should have
/// been refused was accepted, a node that did not come back), probe studies, and the part of
/// the event that happens later (resuming a paused node, restarting a killed one).
struct EventResult: Sendable {
    /// Timeline entries.
    var entries: [ScenarioSummary.TimelineEntry] = []
    /// Problems, in plain words.
    var problems: [String] = []
    /// Over-budget probes, recorded like studies.
    var studies: [ScenarioSummary.StudySummary] = []
    /// The later part, returning its own timeline entry.
    var later: (@Sendable () async -> ScenarioSummary.TimelineEntry?)?

    /// Appends `other`'s entries, problems and studies (not its later part).
    mutating func merge(_ other: EventResult) {
        entries += other.entries
        problems += other.problems
        studies += other.studies
    }
}

extension ScenarioRun {
    /// Adds an event result's entries, problems and studies to the run.
    mutating func apply(_ result: EventResult) {
        timeline += result.entries
        eventProblems += result.problems
        studies += result.studies
    }
}
