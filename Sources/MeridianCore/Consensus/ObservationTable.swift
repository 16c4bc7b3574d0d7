/// The newest observation of each (gateway, observer) pair, found in one pass over a director's
/// observations (its own and every peer's: hundreds of thousands in a large fleet) without a hash
/// table per gateway: observers and gateways are numbered once, and a flat table holds, for each
/// pair, the position of its newest observation. Observers the configuration does not name, and
/// gateways it does not have, are left out.
struct ObservationTable {
    /// The configuration's directors in name order, each with the number of its region (the
    /// position in `Configuration.regions`).
    let observers: [(name: DirectorName, region: Int)]
    /// The configuration's gateways: gateway number `g` is `gateways[g]`.
    let gateways: [Gateway]
    /// For gateway `g` and observer `o`, at `g * observers.count + o`: the position of the newest
    /// observation in the list the table was made from, or -1.
    private var newest: [Int]

    init(_ configuration: Configuration, observations: [Observation]) {
        let regionNumber = Dictionary(configuration.regions.enumerated().map { ($0.element.name, $0.offset) },
                                      uniquingKeysWith: { first, _ in first })
        observers = configuration.directors.map { (name: $0.endpoints.name, region: regionNumber[$0.region] ?? 0) }
            .sorted { $0.name < $1.name }
        let observerNumber = Dictionary(observers.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
        gateways = configuration.gateways
        let gatewayNumber = Dictionary(gateways.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let width = observers.count
        newest = Array(repeating: -1, count: gateways.count * width)
        // Observations come in runs of one observer (each director's list, then each peer's).
        var last: (name: DirectorName, number: Int?)?
        for (position, observation) in observations.enumerated() {
            let observer: Int?
            if let last, last.name == observation.observer {
                observer = last.number
            } else {
                observer = observerNumber[observation.observer]
                last = (observation.observer, observer)
            }
            guard let observer, let gateway = gatewayNumber[observation.gateway] else { continue }
            let cell = gateway * width + observer
            let held = newest[cell]
            if held >= 0, observations[held].at >= observation.at { continue }
            newest[cell] = position
        }
    }

    /// The newest observation of gateway number `gateway` (its position in `Configuration.gateways`)
    /// by observer number `observer`, in `observations` (the list the table was made from).
    func newest(gateway: Int, observer: Int, in observations: [Observation]) -> Observation? {
        let held = newest[gateway * observers.count + observer]
        return held >= 0 ? observations[held] : nil
    }
}

/// Counts one gateway's region votes: per region, its fresh directors and those that see the
/// gateway down; `result()` gives the regions whose directors see it down by majority (a tie keeps
/// it up) and the regions with a vote, and starts the next count.
struct RegionTally {
    private var down: [Int]
    private var all: [Int]
    private var counted: [Int] = []

    init(regions: Int) {
        down = Array(repeating: 0, count: regions)
        all = Array(repeating: 0, count: regions)
    }

    mutating func count(region: Int, down seesDown: Bool) {
        if all[region] == 0 { counted.append(region) }
        all[region] += 1
        if seesDown { down[region] += 1 }
    }

    mutating func result() -> (down: Int, regions: Int) {
        let downRegions = counted.filter { down[$0] * 2 > all[$0] }.count
        let regions = counted.count
        for region in counted {
            down[region] = 0
            all[region] = 0
        }
        counted.removeAll(keepingCapacity: true)
        return (downRegions, regions)
    }
}
