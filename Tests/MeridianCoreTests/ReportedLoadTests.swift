import Foundation
import Testing
@testable import MeridianCore

/// Gateways' reported loads: read from a probe answer, carried by the exchange, combined by
/// consensus into a site's load, and turned by the load controller into the demand the spill rule
/// plans with.
@Suite("Reported load")
struct ReportedLoadTests {
    // MARK: Reading

    @Test("probe.load reads a header or a JSON pointer, in requests a second or as a utilization; anything else is no reading")
    func readings() throws {
        #expect(LoadReading("header X-Gateway-Load") == LoadReading(source: .header("x-gateway-load")))
        #expect(LoadReading("json /stats/rps utilization") == LoadReading(source: .json(pointer: ["stats", "rps"]), unit: .utilization))
        #expect(LoadReading("json /a~1b/~0c/0")?.source == .json(pointer: ["a/b", "~c", "0"]))
        #expect(LoadReading("json /a~1b/~0c/0")?.text == "json /a~1b/~0c/0")
        for bad in ["header", "header X Y", "header Bad:Name", "json stats", "json /a~2", "xml /a", "header X rate extra", ""] {
            #expect(LoadReading(bad) == nil, "\(bad)")
        }
        let header = try #require(LoadReading("header X-Load"))
        #expect(header.value(ofHeader: " 23400 ") == 23400 && header.value(ofHeader: "0.5") == 0.5)
        for bad in ["", "-1", "1e3", "12abc", "inf", "nan", "1.2.3", "99999999999"] {
            #expect(header.value(ofHeader: Substring(bad)) == nil, "\(bad)")
        }
        let json = try #require(LoadReading("json /stats/1/rps"))
        func body(_ text: String) -> [UInt8] { Array(text.utf8) }
        #expect(json.value(ofBody: body(#"{"stats":[{},{"rps":812.5}]}"#)) == 812.5)
        #expect(json.value(ofBody: body(#"{"stats":[{},{"rps":"640"}]}"#)) == 640)
        for bad in [#"{"stats":[{},{"rps":true}]}"#, #"{"stats":[{},{"rps":-3}]}"#, #"{"stats":[{},{"rps":1e12}]}"#,
                    #"{"stats":[{"rps":1}]}"#, #"{"stats":{"1":{"rps":"x"}}}"#, "not json", #"{"stats":[{},{"rps":null}]}"#] {
            #expect(json.value(ofBody: body(bad)) == nil, "\(bad)")
        }
        let utilization = try #require(LoadReading("header X-Util utilization"))
        #expect(utilization.value(ofHeader: "0.93") == 0.93 && utilization.value(ofHeader: "5000") == nil)
    }

    @Test("probe.load loads where a probe is set; on a tcp probe or a HEAD probe reading the body it is an error at its line")
    func configuration() throws {
        let tests = ConfigurationLoaderTests()
        let loaded = try tests.load(global: ConfigurationLoaderTests.global.replacingOccurrences(
            of: "  timeout: 400ms\n", with: "  timeout: 400ms\n  load: json /load/rps\n"))
        #expect(loaded.gateways.allSatisfy { $0.probe.load == LoadReading(source: .json(pointer: ["load", "rps"])) })
        let tcp = ConfigurationLoaderTests.global.replacingOccurrences(of: "  port: 18080\n", with: "  port: 18080\n  type: tcp\n  load: header X-Load\n")
        tests.expectProblem(tests.problems(global: tcp), file: "global.yaml", line: 5, containing: "a tcp probe has none")
        let head = ConfigurationLoaderTests.global.replacingOccurrences(of: "  port: 18080\n", with: "  port: 18080\n  method: HEAD\n  load: json /rps\n")
        tests.expectProblem(tests.problems(global: head), file: "global.yaml", line: 5, containing: "HEAD probe")
        let bad = ConfigurationLoaderTests.global.replacingOccurrences(of: "  port: 18080\n", with: "  port: 18080\n  load: body rps\n")
        tests.expectProblem(tests.problems(global: bad), file: "global.yaml", line: 4, containing: "is not a load reading")
    }

    // MARK: Exchange and consensus

    @Test("the exchange carries a load to the thousandth, and refuses one over a billion")
    func exchange() throws {
        let configuration = TestWorld.turkey()
        let now = TestWorld.now
        let change = ExchangeChange.observation(ExchangeObservation(gateway: "istanbul-1", verdict: .up,
                                                                   latency: ExchangeLatency(steps: 10),
                                                                   load: ExchangeLoad(quantizing: 23_400.0004)))
        let frame = ExchangeFrame(epoch: 1, sentAt: now, body: .snapshot(.init(sequence: 1, changes: [change])))
        let decoded = try ExchangeFrame(decoding: frame.encoded(), limits: ExchangeLimits(for: configuration))
        #expect(decoded == frame)
        guard case .snapshot(let snapshot) = decoded.body, case .observation(let observation) = snapshot.changes[0] else {
            Issue.record("not a snapshot of one observation")
            return
        }
        #expect(observation.load?.value == 23_400)
        #expect(ExchangeLoad(quantizing: .infinity).thousandths == ExchangeLoad.largest && ExchangeLoad(quantizing: -.nan).thousandths == 0)

        var tooLarge = frame
        tooLarge.body = .snapshot(.init(sequence: 1, changes: [.observation(ExchangeObservation(
            gateway: "istanbul-1", verdict: .up, latency: nil, load: ExchangeLoad(thousandths: ExchangeLoad.largest + 1)))]))
        #expect(throws: ExchangeDecodingError.tooLarge) {
            try ExchangeFrame(decoding: tooLarge.encoded(), limits: ExchangeLimits(for: configuration))
        }
    }

    /// `turkey()` with every gateway reporting in `unit`, capacities 15,000 and 20,000.
    static func reporting(_ unit: LoadReading.Unit = .rate) -> Configuration {
        var configuration = TestWorld.turkey()
        for region in configuration.regions.indices {
            for gateway in configuration.regions[region].gateways.indices {
                configuration.regions[region].gateways[gateway].probe.load = LoadReading(source: .header("x-load"), unit: unit)
            }
        }
        return configuration
    }

    static func assess(_ configuration: Configuration, loads: [GatewayName: [Double]],
                       now: Timestamp = TestWorld.now) -> Assessment {
        let observers = configuration.directors.map(\.endpoints.name)
        let observations = configuration.gateways.flatMap { gateway in
            observers.enumerated().map { index, observer in
                Observation(gateway: gateway.name, observer: observer, verdict: .up,
                            load: loads[gateway.name].map { $0[index % $0.count] }, at: now)
            }
        }
        return Assessment.make(configuration, observations: observations, overrides: [], vantage: nil, now: now)
    }

    @Test("a site's load is the sum of its gateways' median reports, scaled up from those that report; a utilization counts a gateway's share of the capacity")
    func siteLoad() {
        let rates = Self.assess(Self.reporting(), loads: ["istanbul-1": [9000, 3000], "istanbul-2": [4000], "ankara-1": [2500]])
        // Two observers: the median of [9000, 3000] is the upper one.
        #expect(rates.consensus.gateways["istanbul-1"]?.load == 9000)
        #expect(rates.site("istanbul")?.load == 13_000)
        // Only ankara-1 reports: its 2,500 stands for both serving gateways.
        #expect(rates.site("ankara")?.load == 5000)
        let utilizations = Self.assess(Self.reporting(.utilization), loads: ["istanbul-1": [0.5], "istanbul-2": [1]])
        #expect(utilizations.site("istanbul")?.load == 0.5 * 7500 + 7500)
        #expect(utilizations.site("ankara")?.load == nil)
    }

    // MARK: The controller

    static func plan(_ assessment: Assessment, observed: ObservedDemands = [:]) -> LoadPlan {
        SteeringSnapshot(assessment: assessment, locator: ClientLocator(assessment.configuration),
                         vantage: assessment.configuration.regions[0], observed: observed).plan
    }

    @Test("a reported load over the high watermark sheds the excess; the demand is then seen through the share kept, changes wait a TTL and a dead band, and a falling demand holds until it is under the low watermark")
    func controller() throws {
        let configuration = Self.reporting()
        let service = configuration.services[0].name
        let ttl = Duration.seconds(Int64(configuration.services[0].ttl))
        var controller = LoadController()
        var now = TestWorld.now
        func step(_ loads: [GatewayName: [Double]], after: Duration) -> ServiceLoadPlan? {
            now = now + after
            let assessment = Self.assess(configuration, loads: loads, now: now)
            let inForce = Self.plan(assessment, observed: controller.demands)
            controller.update(assessment, plan: inForce, now: now)
            return Self.plan(assessment, observed: controller.demands).plan(for: service)
        }
        // Istanbul reports 18,000 of 15,000 (high watermark 13,500); Ankara 4,000 of 20,000.
        let first = try #require(step(["istanbul-1": [9000], "istanbul-2": [9000], "ankara-1": [2000], "ankara-2": [2000]], after: .zero))
        let istanbul = try #require(first.site("istanbul"))
        #expect(istanbul.source == .observed && istanbul.demand == 18_000)
        #expect(abs(istanbul.kept - 13_500.0 / 18_000) < 1e-9 && first.receivers.map(\.region) == ["ankara"])

        // The sites now carry what the plan sends them: 13,500 and 8,500. Within the TTL nothing moves;
        // after it, the demands seen through the shares are the same 18,000 and 4,000.
        let carried: [GatewayName: [Double]] = ["istanbul-1": [6750], "istanbul-2": [6750], "ankara-1": [4250], "ankara-2": [4250]]
        #expect(step(carried, after: ttl / 2)?.site("istanbul")?.demand == 18_000)
        let held = try #require(step(carried, after: ttl))
        #expect(abs((held.site("istanbul")?.demand ?? 0) - 18_000) < 1 && abs((held.site("ankara")?.demand ?? 0) - 4000) < 1)
        #expect(abs((held.site("istanbul")?.kept ?? 0) - 0.75) < 1e-6)

        // A move within the dead band (1 % of capacity) is not taken.
        let small: [GatewayName: [Double]] = ["istanbul-1": [6800], "istanbul-2": [6800], "ankara-1": [4250], "ankara-2": [4250]]
        #expect(step(small, after: ttl)?.site("istanbul")?.demand == held.site("istanbul")?.demand)

        // The demand falls to 13,000 (between the watermarks, 12,000 and 13,500): at 75 % kept Istanbul
        // carries 9,750, so it holds to its low watermark, keeping 12,000 of 13,000.
        let falling: [GatewayName: [Double]] = ["istanbul-1": [4875], "istanbul-2": [4875], "ankara-1": [3625], "ankara-2": [3625]]
        let holding = try #require(step(falling, after: ttl)?.site("istanbul"))
        #expect(holding.demand == 13_000 && abs(holding.kept - 12_000.0 / 13_000) < 1e-6)
        // Under the low watermark (11,000, carried at 12 / 13 kept) every client comes back.
        let under = 11_000.0 * 12 / 13 / 2
        let back = try #require(step(["istanbul-1": [under], "istanbul-2": [under], "ankara-1": [2000], "ankara-2": [2000]], after: ttl))
        #expect(back.site("istanbul")?.kept == 1 && back.receivers.isEmpty)

        // Reports stop: the declared model (9,000 from istanbul-metro) is back at once.
        let declared = try #require(step([:], after: .milliseconds(1)))
        #expect(declared.site("istanbul")?.source == .declared && controller.demands.isEmpty)
    }

    @Test("a failing-back site whose load passes its high watermark is overloaded; one under it is not")
    func overloaded() {
        let configuration = Self.reporting()
        let over = Self.assess(configuration, loads: ["istanbul-1": [7000], "istanbul-2": [7000]])
        #expect(LoadController.overloaded(over, plan: Self.plan(over))[configuration.services[0].name] == ["istanbul"])
        let fine = Self.assess(configuration, loads: ["istanbul-1": [6000], "istanbul-2": [6000]])
        #expect(LoadController.overloaded(fine, plan: Self.plan(fine))[configuration.services[0].name] == nil)
    }
}
