import MeridianCore
import NIOCore

/// Reads one peer's stream as its bytes arrive: cuts them into records (`ExchangeRecordReader`),
/// and hands each record's frame to `hub`, in order, calling `handle` with what each frame changed
/// (and `arrived` with the size of each piece of the body as it comes).
/// Returns why the stream was cut, or `nil` when it ended; the first refusal ends it.
enum ExchangeStreamReading {
    /// Why a stream was cut.
    enum Cut: Error, Sendable, Equatable {
        case record(ExchangeRecordReader.Refusal)
        case frame(ExchangeHub.Refusal)
    }

    static func read<Body: AsyncSequence>(
        _ body: Body, stream: ExchangeRecord.Stream, from sender: DirectorName, key: ExchangeStreamKey, hub: ExchangeHub,
        clock: () -> Timestamp = { .now }, arrived: (Int) -> Void = { _ in }, handle: (ExchangeLedger<DirectorName>.Reception) -> Void
    ) async throws -> Cut? where Body.Element == ByteBuffer {
        guard let limits = hub.limits else { return .frame(.superseded) }
        var reader = ExchangeRecordReader(key: key, largestFrame: limits.largestFrame)
        for try await buffer in body {
            arrived(buffer.readableBytes)
            switch reader.take(buffer.readableBytesView) {
            case .failure(let refusal):
                return .record(refusal)
            case .success(let records):
                for record in records {
                    switch hub.take(record.frame, from: sender, stream: stream.id, at: clock()) {
                    case .failure(let refusal): return .frame(refusal)
                    case .success(let reception): handle(reception)
                    }
                }
            }
        }
        return nil
    }
}
