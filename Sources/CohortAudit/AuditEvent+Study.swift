extension Audit.Event {
    /// `study.proposed`: study `study` (for `purpose`, led by `lead`) was proposed with `terms`.
    public static func studyProposed(
        actor: String, purpose: String, study: String, lead: String, terms: Audit.StudyTerms
    ) -> Audit.Event {
        Audit.Event(type: .studyProposed, actor: actor, purpose: purpose, study: study, details: [
            "lead": .string(lead),
            "spec_sha256": .string(terms.specSHA256),
            "kind": .string(terms.kind),
            "epsilon": .string(String(terms.epsilon)),
            "delta": .string(String(terms.delta)),
            "as_of": .string(terms.asOf),
            "dimensions": .string(terms.dimensions.joined(separator: ",")),
            "parties": .string(terms.parties.joined(separator: ",")),
        ])
    }

    /// `study.accepted`: this node accepted study `study` led by `lead`.
    public static func studyAccepted(actor: String, purpose: String, study: String, lead: String) -> Audit.Event {
        Audit.Event(type: .studyAccepted, actor: actor, purpose: purpose, study: study, details: ["lead": .string(lead)])
    }

    /// `study.rejected`: this node rejected study `study` led by `lead` because of `reason`;
    /// `count` for a summary of counted rejections (how many proposals it stands for).
    public static func studyRejected(
        actor: String, purpose: String, study: String, lead: String, reason: String, count: Int? = nil
    ) -> Audit.Event {
        var details: [String: Audit.Value] = ["lead": .string(lead), "reason": .string(reason)]
        if let count { details["count"] = .integer(Int64(count)) }
        return Audit.Event(type: .studyRejected, actor: actor, purpose: purpose, study: study, details: details)
    }

    /// `study.ended`: study `study` led by `lead` ended here without a result (`outcome`
    /// `failed`, `aborted` or `expired`) because of `reason`; `rounds` this node contributed to,
    /// when known.
    public static func studyEnded(
        actor: String, purpose: String, study: String, lead: String, outcome: String, reason: String, rounds: Int? = nil
    ) -> Audit.Event {
        var details: [String: Audit.Value] = ["lead": .string(lead), "outcome": .string(outcome), "reason": .string(reason)]
        if let rounds { details["round"] = .integer(Int64(rounds)) }
        return Audit.Event(type: .studyEnded, actor: actor, purpose: purpose, study: study, details: details)
    }

    /// `study.aggregated`: round `round` of study `study` was securely aggregated; this node
    /// took part as `role` (`lead` or `participant`) among `parties`, with `survivors` in the
    /// sum and `dropouts` recovered.
    public static func studyAggregated(
        actor: String, purpose: String, study: String, lead: String, round: Int, role: String,
        parties: [String], survivors: [String], dropouts: [String]
    ) -> Audit.Event {
        Audit.Event(type: .studyAggregated, actor: actor, purpose: purpose, study: study, details: [
            "lead": .string(lead), "round": .integer(Int64(round)), "role": .string(role),
            "parties": .string(parties.joined(separator: ",")), "survivors": .string(survivors.joined(separator: ",")),
            "dropouts": .string(dropouts.joined(separator: ",")),
        ])
    }

    /// `result.released`: this node (as `role`, `lead` or `participant`) released the result of
    /// study `study`, with `cells` cells and SHA-256 hex `sha256`.
    public static func resultReleased(
        actor: String, purpose: String, study: String, sha256: String, role: String, cells: Int
    ) -> Audit.Event {
        Audit.Event(type: .resultReleased, actor: actor, purpose: purpose, study: study, details: [
            "sha256": .string(sha256), "role": .string(role), "cells": .integer(Int64(cells)),
        ])
    }
}
