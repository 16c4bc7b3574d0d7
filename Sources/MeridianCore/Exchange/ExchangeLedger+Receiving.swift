extension ExchangeLedger {
    /// Takes a frame `peer` sent, which `ExchangeCheck` has passed: a request or acknowledgement of
    /// this director's state moves what is sent to the peer, anything else goes to the peer's
    /// replica. A replica that cannot follow queues a request to the peer (the same request at most
    /// once per heartbeat interval).
    public mutating func receive(_ frame: ExchangeFrame, from peer: Peer, at now: Timestamp) -> Reception {
        var reception = Reception()
        var link = links[peer] ?? Link()
        defer { links[peer] = link }
        switch frame.body {
        case .request(.snapshot):
            link.sentUpTo = nil
            reception.answer = true
        case .request(.changes(let asked, let since)):
            if asked == epoch, since >= log.floor, since <= log.sequence {
                link.sentUpTo = link.sentUpTo.map { min($0, since) }
            } else {
                link.sentUpTo = nil
            }
            reception.answer = true
        case .heartbeat(let heartbeat):
            if let acknowledged = heartbeat.acknowledged, acknowledged.epoch == epoch, acknowledged.sequence <= log.sequence {
                link.acknowledged = max(link.acknowledged ?? 0, acknowledged.sequence)
            }
        case .leaving:
            reception.leaving = frame.sentAt
        case .delta, .snapshot:
            break
        }
        // Taken out while it changes, so that its values are not copied (they are the peer's whole state).
        var replica = replicas.removeValue(forKey: peer) ?? ExchangeReplica()
        let decisive = replica.decisiveChanges
        switch replica.take(frame) {
        case .applied(let changes):
            // A latency or load that moved waits for the next periodic rebuild; a verdict does not.
            reception.observationsChanged = replica.decisiveChanges != decisive && changes.contains { change in
                switch change {
                case .observation, .removed(.gateway): true
                case .override, .removed(.override): false
                }
            }
            reception.writes = changes.compactMap { change -> OverrideTable.Write? in
                guard case .override(let write) = change, now - write.override.setAt <= OverrideTable.clearanceLifetime else { return nil }
                return write
            }
        case .behind(let request):
            let repeated = link.lastRequest.map { $0.request == request && now - $0.at < settings.heartbeatInterval } ?? false
            // A snapshot asked for replaces a request for changes that has not gone out yet.
            if !repeated, link.request == nil || request == .snapshot {
                link.request = request
                reception.answer = true
            }
        case .ignored:
            break
        }
        replicas[peer] = replica
        return reception
    }
}
