import Logging
import NIOCore
import ServiceLifecycle

/// Runs a set of stand-in gateways as one service: started together, stopped on shutdown.
public struct StandInService: ServiceLifecycle.Service {
    /// One stand-in gateway to run.
    public struct Spec: Sendable {
        public var name: String
        public var listen: NIOCore.SocketAddress
        public var control: NIOCore.SocketAddress?

        public init(name: String, listen: NIOCore.SocketAddress, control: NIOCore.SocketAddress?) {
            self.name = name
            self.listen = listen
            self.control = control
        }
    }

    private let specs: [Spec]
    private let logger: Logger

    public init(_ specs: [Spec], logger: Logger) {
        self.specs = specs
        self.logger = logger
    }

    public func run() async throws {
        var started: [StandInGateway] = []
        do {
            for spec in specs {
                started.append(try await StandInGateway.start(name: spec.name, listen: spec.listen, control: spec.control))
                logger.info("stand-in gateway listening", metadata: [
                    "gateway": "\(spec.name)", "address": "\(spec.listen)", "control": "\(spec.control.map { "\($0)" } ?? "-")",
                ])
            }
        } catch {
            for gateway in started { await gateway.stop() }
            throw StandInStartError(spec: specs[started.count], underlying: error)
        }
        try? await gracefulShutdown()
        for gateway in started { await gateway.stop() }
    }
}

/// A stand-in gateway could not listen.
public struct StandInStartError: Error, CustomStringConvertible {
    public var spec: StandInService.Spec
    public var underlying: any Error

    public var description: String {
        "stand-in gateway \(spec.name) cannot listen on \(spec.listen): \(underlying)"
    }
}
