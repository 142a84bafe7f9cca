import CohortCore
import CohortStudy
import CohortTestSupport
import Foundation
import Testing

/// Multi-round studies driven in memory (no sockets) through the pure lead and participant
/// machines, carrying out every directive as the node's driver does — including the durable
/// participant state (`persist`/`forget`), restarts between rounds, dropouts, late, duplicate
/// and replayed messages, abort propagation and the deadline.
@Suite("Multi-round study protocol")
struct StudyMultiRoundSimulationTests {
    typealias Repeated = StudyFixtures.RepeatedRelease

    static func programs(rounds: Int) -> Study.RoundPrograms {
        Study.RoundPrograms { spec, lead in Repeated(spec: spec, lead: lead, rounds: rounds) }
    }

    /// What goes wrong with one participant.
    enum Fault: Equatable {
        case none
        /// Its contribution request for this round fails (connection reset).
        case dropsAt(Int)
        /// It never answers requests from this round on (the deadline ends the study).
        case silentFrom(Int)
        /// The node restarts (machine rebuilt from its persisted entries) before this round.
        case restartsBefore(Int)
        /// It crashes after persisting "contributing" for this round (the spend is on record,
        /// the message never left), and restarts.
        case crashesDuring(Int)
    }

    struct Party {
        var machine: Study.ParticipantMachine
        var codes: [UInt16]
        var fault: Fault = .none
        /// The node's `participant_studies` table.
        var disk: [String: Study.ParticipantMachine.Entry] = [:]
        var spentEpsilon = 0.0
        var charges = 0
        var reads = 0
        var results: [Study.Result] = []
    }

    struct World {
        var lead: Study.LeadMachine
        var leadCodes: [UInt16]
        var leadCharges = 0
        var parties: [String: Party]
        var programs: Study.RoundPrograms
        var failures: [Study.Failure] = []
        var published: [Study.Result] = []
        var lastSent: [String: Study.ContributionMessage] = [:]
        var now = StudyFixtures.t0

        init(parties count: Int, rounds: Int, faults: [String: Fault] = [:]) throws {
            let names = (1..<count).map { "p\($0)" }
            let spec = try StudyFixtures.spec(dimensions: [.valueTier], participants: names, deadline: 3600)
            programs = StudyMultiRoundSimulationTests.programs(rounds: rounds)
            lead = try Study.LeadMachine(spec: spec, lead: "acme", programs: programs)
            leadCodes = [0, 1, 2, 2]
            var parties: [String: Party] = [:]
            for (i, name) in names.enumerated() {
                parties[name] = Party(
                    machine: Study.ParticipantMachine(node: name, programs: programs),
                    codes: (0..<(5 + i)).map { UInt16($0 % 3) }, fault: faults[name] ?? .none)
            }
            self.parties = parties
        }

        /// The central answer: every party's histogram plus parties·(rounds − 1) per cell.
        func expectedCells(rounds: Int) -> [Int] {
            var cells = [0, 0, 0]
            for code in leadCodes { cells[Int(code)] += 1 }
            for party in parties.values { for code in party.codes { cells[Int(code)] += 1 } }
            return cells.map { $0 + (parties.count + 1) * (rounds - 1) }
        }

        mutating func start() throws {
            try run(lead.onStart(now: now).map(Event.lead))
        }

        enum Event {
            case lead(Study.LeadMachine.Directive)
            case party(String, Study.ParticipantMachine.Directive)
        }

        mutating func run(_ first: [Event]) throws {
            var queue = first
            var steps = 0
            while !queue.isEmpty {
                steps += 1
                guard steps < 100_000 else { throw StudyError(.invalidConfiguration, key: "test", "runaway simulation") }
                let event = queue.removeFirst()
                switch event {
                case .lead(let d): queue += try handleLead(d)
                case .party(let name, let d): queue += try handleParty(name, d)
                }
            }
        }

        mutating func contribution(codes: [UInt16], round: Int, payload: Study.RoundPayload, study: String) throws
            -> Study.ContributionMessage
        {
            let c = try Study.Contribution.compute(spec: lead.spec, codes: [codes])
            var noise = StudyZeroNoise()
            var message = try c.noised(study: study, round: round, plan: lead.plan, noise: &noise)
            let bump = UInt64(payload.bytes.first ?? 0)
            message.values = message.values.map { $0 &+ bump }
            return message
        }

        mutating func handleLead(_ d: Study.LeadMachine.Directive) throws -> [Event] {
            let now = self.now
            switch d {
            case .checkOwnPolicy:
                return lead.onOwnPolicyDecision(.accept).map(Event.lead)
            case .propose(let to, let spec):
                return try deliver(to) { $0.onProposal(spec, from: "acme", now: now) }
            case .computeOwnContribution(let study, let round, let payload, _, let charge):
                if charge { leadCharges += 1 }
                let m = try contribution(codes: leadCodes, round: round, payload: payload, study: study)
                return lead.onContribution(from: "acme", m, now: now).map(Event.lead)
            case .requestContribution(let from, let study, let round, let payload):
                guard var party = parties[from] else { return [] }
                switch party.fault {
                case .dropsAt(round):
                    return lead.onPeerFailure(from, error: "connection reset").map(Event.lead)
                case .silentFrom(let r) where round >= r:
                    return []
                case .restartsBefore(round):
                    party.fault = .none
                    parties[from] = party
                    try restart(from)
                case .crashesDuring(round):
                    // The charge directive is persisted ("contributing") and then the node dies.
                    let out = parties[from]!.machine.onContributionRequest(
                        study: study, round: round, payload: payload, from: "acme", now: now)
                    for case .persist(let id, let entry) in out { parties[from]!.disk[id] = entry }
                    if case .contribute(_, _, _, _, let plan, _, true) = out.last {
                        parties[from]!.charges += 1
                        parties[from]!.spentEpsilon += plan.epsilon
                    }
                    parties[from]!.fault = .none
                    try restart(from)
                default:
                    break
                }
                return try deliver(from) { $0.onContributionRequest(study: study, round: round, payload: payload, from: "acme", now: now) }
            case .aggregateSecurely:
                Issue.record("this simulation runs plainly aggregated studies only")
                return []
            case .publish(let result, let to):
                published.append(result)
                var events: [Event] = []
                for name in to { events += try deliver(name) { $0.onResult(result, from: "acme") } }
                return events
            case .abort(let to, let study, let reason):
                var events: [Event] = []
                for name in to { events += try deliver(name) { $0.onAbort(study: study, reason: reason.description, from: "acme") } }
                return events
            case .fail(let failure):
                failures.append(failure)
                return []
            }
        }

        mutating func deliver(
            _ name: String, _ body: (inout Study.ParticipantMachine) -> [Study.ParticipantMachine.Directive]
        ) throws -> [Event] {
            guard var party = parties[name] else { return [] }
            let out = body(&party.machine)
            parties[name] = party
            return out.map { .party(name, $0) }
        }

        /// Rebuilds the participant's machine from its persisted entries, as a restarted node does.
        mutating func restart(_ name: String) throws {
            var party = parties[name]!
            party.machine = Study.ParticipantMachine(node: name, programs: programs)
            let out = party.machine.onRestore(party.disk, now: now)
            parties[name] = party
            try run(out.map { .party(name, $0) })
        }

        mutating func handleParty(_ name: String, _ d: Study.ParticipantMachine.Directive) throws -> [Event] {
            let now = self.now
            guard var party = parties[name] else { return [] }
            defer { parties[name] = party }
            switch d {
            case .persist(let id, let entry):
                party.disk[id] = entry
                return []
            case .forget(let id):
                party.disk[id] = nil
                return []
            case .decide(let id, _, _):
                return party.machine.onPolicyDecision(study: id, .accept).map { .party(name, $0) }
            case .awaitApproval, .closed:
                return []
            case .reply(_, _, let reply):
                switch reply {
                case .accepted: return lead.onDecision(from: name, accepted: true, reason: nil).map(Event.lead)
                case .rejected(let r): return lead.onDecision(from: name, accepted: false, reason: r.description).map(Event.lead)
                case .pending: return []
                case .contributionRefused(let why), .contributionFailed(let why):
                    return lead.onPeerFailure(name, error: why).map(Event.lead)
                }
            case .contribute(let study, let round, let payload, _, let plan, _, let charge):
                if charge {
                    party.charges += 1
                    party.spentEpsilon += plan.epsilon
                }
                party.reads += 1
                let m = try contribution(codes: party.codes, round: round, payload: payload, study: study)
                var out = party.machine.onContributionSent(study: study, round: round, message: m).map { Event.party(name, $0) }
                lastSent[name] = m
                parties[name] = party
                out += lead.onContribution(from: name, m, now: now).map(Event.lead)
                return out
            case .resend(_, _, let message):
                return lead.onContribution(from: name, message, now: now).map(Event.lead)
            case .storeResult(_, let result):
                party.results.append(result)
                return []
            }
        }
    }

    /// 3–7 parties (the lead included), 1–20 rounds: the release equals the central answer, each
    /// party's budget is charged once for the whole study, data is read once per round, and every
    /// participant stores the result and forgets nothing it must keep.
    @Test(arguments: [(3, 1), (3, 20), (4, 2), (5, 7), (6, 12), (7, 3), (7, 20)])
    func multiRoundStudiesReleaseTheCentralAnswer(parties: Int, rounds: Int) throws {
        var world = try World(parties: parties, rounds: rounds)
        try world.start()
        let result = try #require(world.published.first, "failures: \(world.failures)")
        #expect(world.failures.isEmpty)
        #expect(result.cells.map { Int(($0.count ?? -1).rounded()) } == world.expectedCells(rounds: rounds))
        #expect(world.lead.completedRounds == rounds)
        #expect(world.leadCharges == 1)
        for (name, party) in world.parties {
            #expect(party.charges == 1, "\(name) charged once for all \(rounds) rounds")
            #expect(party.reads == rounds, "\(name) reads its data (consent re-checked) once per round")
            #expect(party.results == [result])
            #expect(party.machine.studies["s1"]?.state == .completed)
            #expect(party.disk["s1"]?.state == .completed, "the completed state is on disk")
        }
    }

    /// A participant that drops at round r fails the study: nothing is released, the others are
    /// told (aborted), and every spend already made stays on record.
    @Test(arguments: [(3, 5, 0), (5, 5, 2), (7, 10, 9)])
    func aDropoutAtRoundRFailsTheStudyWithNothingReleased(parties: Int, rounds: Int, round: Int) throws {
        var world = try World(parties: parties, rounds: rounds, faults: ["p1": .dropsAt(round)])
        try world.start()
        #expect(world.published.isEmpty)
        #expect(world.failures == [.droppedOut("p1", round: round, error: "connection reset")])
        for (name, party) in world.parties {
            #expect(party.results.isEmpty)
            if name == "p1" {
                #expect(party.charges == (round > 0 ? 1 : 0), "p1's spend (if it got as far) stays recorded")
            } else {
                #expect(party.charges <= 1, "\(name) is never charged twice")
            }
            if name != "p1" {
                guard case .aborted(let reason)? = party.machine.studies["s1"]?.state else {
                    Issue.record("\(name) was not told: \(String(describing: party.machine.studies["s1"]?.state))")
                    continue
                }
                #expect(reason.contains("p1 dropped out in round \(round + 1)"))
                #expect(party.disk["s1"]?.state == party.machine.studies["s1"]?.state)
            }
        }
    }

    /// A participant restarted between rounds resumes from its persisted state: the study
    /// publishes and it is charged once.
    @Test(arguments: [1, 3, 9])
    func aParticipantRestartedBetweenRoundsResumes(round: Int) throws {
        var world = try World(parties: 4, rounds: 10, faults: ["p2": .restartsBefore(round)])
        try world.start()
        let result = try #require(world.published.first, "failures: \(world.failures)")
        #expect(result.cells.map { Int(($0.count ?? -1).rounded()) } == world.expectedCells(rounds: 10))
        #expect(world.parties["p2"]?.charges == 1)
        #expect(world.parties["p2"]?.results == [result])
    }

    /// A participant that crashed while contributing fails the study cleanly when it restarts:
    /// its spend is on record, it never spends again, and the lead reports why.
    @Test(arguments: [0, 4])
    func aCrashWhileContributingFailsCleanlyWithOneSpend(round: Int) throws {
        var world = try World(parties: 3, rounds: 6, faults: ["p1": .crashesDuring(round)])
        try world.start()
        #expect(world.published.isEmpty)
        guard case .droppedOut("p1", round, let error)? = world.failures.first else {
            Issue.record("unexpected failures \(world.failures)")
            return
        }
        #expect(error.contains("restarted while computing its contribution to round \(round + 1)"))
        #expect(world.parties["p1"]?.charges == 1)
        guard case .failed? = world.parties["p1"]?.disk["s1"]?.state else {
            Issue.record("the failure is not on disk")
            return
        }
    }

    /// A silent participant: the deadline fails the study naming it, and the others are aborted.
    @Test func theDeadlineEndsAStalledRoundAndAbortsTheOthers() throws {
        var world = try World(parties: 4, rounds: 5, faults: ["p3": .silentFrom(2)])
        try world.start()
        #expect(world.failures.isEmpty && world.published.isEmpty)
        #expect(world.lead.currentRound == 2 && world.lead.waitingFor == ["p3"])
        let late = world.lead.deadline!.addingTimeInterval(1)
        try world.run(world.lead.onDeadline(now: late).map(World.Event.lead))
        #expect(world.failures == [.deadlinePassed(seconds: 3600, waitingFor: ["p3"])])
        for name in ["p1", "p2", "p3"] {
            guard case .aborted? = world.parties[name]?.machine.studies["s1"]?.state else {
                Issue.record("\(name) was not aborted")
                continue
            }
        }
    }

    /// Late, duplicate and replayed messages change nothing: a repeated request for the round a
    /// participant last contributed to is answered with the same message (no second charge, no
    /// new noise); a request for a round out of order is refused; a replayed contribution of an
    /// earlier round is ignored by the lead; a decision or result from a non-lead is ignored.
    @Test func lateDuplicateAndReplayedMessagesAreHarmless() throws {
        var world = try World(parties: 3, rounds: 6, faults: ["p2": .silentFrom(2)])
        try world.start()
        #expect(world.lead.currentRound == 2 && world.lead.waitingFor == ["p2"])
        let p1Round2 = try #require(world.lastSent["p1"])
        #expect(p1Round2.round == 2)
        // Duplicate request for round 2 to p1: the same message, no charge.
        var p1 = world.parties["p1"]!
        let again = p1.machine.onContributionRequest(study: "s1", round: 2, payload: try Study.RoundPayload([2]), from: "acme", now: world.now)
        #expect(again == [.resend(to: "acme", study: "s1", p1Round2)])
        // Round 5 right after round 3: refused.
        let skipped = p1.machine.onContributionRequest(study: "s1", round: 3 + 1, payload: .empty, from: "acme", now: world.now)
        guard case .reply(_, _, .contributionRefused(let why))? = skipped.first else {
            Issue.record("not refused: \(skipped)")
            return
        }
        #expect(why.contains("not the next round"))
        // A non-lead asking is refused.
        let stranger = p1.machine.onContributionRequest(study: "s1", round: 2, payload: .empty, from: "p2", now: world.now)
        #expect(stranger == [.reply(to: "p2", study: "s1", .contributionRefused("p2 is not the lead of study s1"))])
        world.parties["p1"] = p1
        // The lead ignores a replay of an earlier round's message, a duplicate of this round's,
        // and a late decision.
        var replay = p1Round2
        replay.round = 1
        #expect(world.lead.onContribution(from: "p1", replay, now: world.now) == [])
        #expect(world.lead.onContribution(from: "p1", p1Round2, now: world.now) == [])
        #expect(world.lead.onDecision(from: "p1", accepted: false, reason: "late no") == [])
        #expect(world.lead.currentRound == 2 && !world.lead.isTerminal)
        #expect(world.parties["p1"]?.charges == 1)
    }

    /// The lead's own policy decides first: a refusal fails the study before anything is proposed.
    @Test func theLeadsOwnPolicyRefusalProposesNothing() throws {
        var world = try World(parties: 3, rounds: 2)
        let first = world.lead.onStart(now: world.now)
        #expect(first == [.checkOwnPolicy(study: "s1", spec: world.lead.spec)])
        let out = world.lead.onOwnPolicyDecision(.reject(.insufficientBudget(requested: 1, remaining: 0.1)))
        guard case .fail(.ownPolicyRejected)? = out.first, out.count == 1 else {
            Issue.record("expected a failure without proposals or aborts: \(out)")
            return
        }
        #expect(world.parties.values.allSatisfy { $0.machine.studies.isEmpty })
    }

    /// A study kind that asks for more rounds than its plan allows fails instead of running on.
    @Test func aProgramAskingForTooManyRoundsFails() throws {
        struct Greedy: Study.RoundProgram {
            var maxRounds: Int { 2 }
            func firstRound() throws -> Study.RoundPayload { .empty }
            func validate(_ message: Study.ContributionMessage, from node: String, round: Int, payload: Study.RoundPayload) throws {}
            func afterRound(
                _ round: Int, payload: Study.RoundPayload, contributions: [String: Study.ContributionMessage], sum: [UInt64],
                startedAt: Date, completedAt: Date
            ) -> Study.RoundDecision { .nextRound(.empty) }
        }
        var world = try World(parties: 3, rounds: 2)
        world.programs = Study.RoundPrograms { _, _ in Greedy() }
        world.lead = try Study.LeadMachine(spec: world.lead.spec, lead: "acme", programs: world.programs)
        for name in world.parties.keys {
            world.parties[name]!.machine = Study.ParticipantMachine(node: name, programs: world.programs)
        }
        try world.start()
        guard case .roundFailed(round: 1, let why)? = world.failures.first else {
            Issue.record("\(world.failures)")
            return
        }
        #expect(why.contains("round 3 of at most 2"))
    }

    /// A payload over the size limit is refused before it can be sent.
    @Test func oversizedPayloadsAreRefused() {
        #expect(throws: StudyError.self) { try Study.RoundPayload([UInt8](repeating: 0, count: Study.RoundPayload.maxBytes + 1)) }
        #expect((try? Study.RoundPayload([UInt8](repeating: 0, count: Study.RoundPayload.maxBytes))) != nil)
    }
}
