/// Waits until `condition` holds, checking every 10 ms, for at most `limit`; returns whether it
/// held. Tests wait with this for what is eventually true (a verdict, a listener, a peer's report)
/// instead of sleeping and hoping.
public func eventually(within limit: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
