import ArgumentParser

/// `drsocial-intake`: the Dr.Social intake and media pipeline daemon and its operator commands.
@main
struct DrSocialIntake: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "drsocial-intake",
        abstract: "Dr.Social intake and media pipeline daemon.",
        discussion: "Configuration comes from the environment; see docs/configuration.md.",
        version: version,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, SeedDemoCommand.self, SubmitCommand.self, ReplayCommand.self, RunsCommand.self, AccountsCommand.self,
            AnalyzeCommand.self,
            ReadTextCommand.self, TranscribeCommand.self, ComposeCommand.self, TokenCommand.self,
            VersionCommand.self, MediaWorkerCommand.self,
        ]
    )
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")
    func run() {
        print("drsocial-intake \(DrSocialIntake.version)")
    }
}
