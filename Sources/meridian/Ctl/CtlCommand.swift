import ArgumentParser

/// `meridian ctl`: talk to a running director's API.
struct CtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Ask a running director (its API).",
        discussion: """
            The director is the one named by --director URL, else by MERIDIAN_DIRECTOR, else the first \
            director of the configuration folder. Exit codes: 0 done, 1 the director refused the request \
            (its reason is printed), 3 no director could be reached.
            """,
        subcommands: [CtlStatusCommand.self, CtlExplainCommand.self, CtlFailCommand.self, CtlDrainCommand.self,
                       CtlRestoreCommand.self, CtlOverridesCommand.self, CtlFailbackCommand.self, CtlApplyCommand.self, CtlConfigCommand.self])
}
