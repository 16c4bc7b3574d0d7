import ArgumentParser
import Logging
import MeridianCore
import MeridianServer
import MeridianTesting
import NIOCore

/// `meridian gateway`: runs one stand-in gateway for demos and tests.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run a stand-in API gateway whose health can be switched at run time.",
        discussion: """
            Serves GET /health (200 "ok") and a small JSON answer on any other path. Its control endpoint \
            switches it: curl -X POST http://CONTROL/mode/down (or healthy, error, slow?delay=2s, hang); \
            GET /mode shows the mode. curl -X POST 'http://CONTROL/mode/load?rps=30000' makes healthy answers \
            report that load (header X-Gateway-Load, and GET /load as JSON); ?rps=none stops it.
            """)

    @Option(help: "The address to listen on, IP:PORT.")
    var listen: String

    @Option(help: "The gateway's name, reported in its answers.")
    var name: String

    @Option(help: "The control endpoint's address (default: the listen IP, port + 1).")
    var control: String?

    @Option(name: .customLong("log-level"))
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard MeridianCore.SocketAddress(listen) != nil else { throw ValidationError("--listen '\(listen)' is not IP:PORT") }
        if let control, MeridianCore.SocketAddress(control) == nil {
            throw ValidationError("--control '\(control)' is not IP:PORT")
        }
    }

    func run() async throws {
        let logger = bootstrapLogging(level: logLevel)
        let address = MeridianCore.SocketAddress(listen)!
        let controlAddress = control.flatMap(MeridianCore.SocketAddress.init) ?? address.nextPort
        let spec = StandInService.Spec(name: name, listen: try address.nio, control: try controlAddress.nio)
        try await runServices([StandInService([spec], logger: logger)],
                              listeners: ["listen": address, "control": controlAddress], logger: logger)
    }
}

extension MeridianCore.SocketAddress {
    /// The same address with the next port (a stand-in's default control port).
    var nextPort: MeridianCore.SocketAddress {
        MeridianCore.SocketAddress(ip: ip, port: port == .max ? port : port + 1)
    }

    /// The NIO form of this address.
    var nio: NIOCore.SocketAddress {
        get throws { try NIOCore.SocketAddress(ipAddress: ip.description, port: Int(port)) }
    }
}
