import ArgumentParser

/// `cohort audit …`: the compliance officer's tools for the node's audit log.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify, inspect, prove, export, report on and back up the node's audit log.",
        discussion: "Commands find the log with --node-dir <dir> (default: current directory; uses <dir>/audit.sqlite) or --audit <file>. See docs/audit.md.",
        subcommands: [
            AuditVerifyCommand.self, AuditShowCommand.self, AuditSubjectCommand.self, AuditProveCommand.self,
            AuditConsistencyCommand.self, AuditExportCommand.self, AuditCheckpointCommand.self, AuditBackupCommand.self,
            AuditWitnessedCommand.self, AuditRotateKeyCommand.self, AuditReportCommand.self,
        ]
    )
}
