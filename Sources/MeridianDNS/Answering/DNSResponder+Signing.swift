import MeridianCore

extension DNSResponder {
    /// Adds DNSSEC records to an answer for a query with the DO bit: an RRSIG after every record
    /// set of the answer; for a referral, the signed NSEC that proves the delegation has no DS; for
    /// a negative answer, the signed SOA and a denial: for a missing type, one NSEC at the query name;
    /// for a missing name, a compact denial (RFC 9824: NOERROR with NXNAME in the NSEC, NXDOMAIN only
    /// for a client that set Compact OK) or white lies (RFC 4470, NXDOMAIN) as the zone says. Returns
    /// the response code to send. Answers not of this zone (refusals, CH, a
    /// truncated `_explain`) are left as they are.
    func sign(_ response: inout DNSMessage, rcode: ResponseCode, question: Question, compactOK: Bool,
              signer: ZoneSigner) -> ResponseCode {
        guard question.recordClass != .chaos, !response.header.truncated, rcode == .noError || rcode == .nameError else { return rcode }
        let kind = zone.kind(of: question.name)
        if case .outside = kind { return rcode }
        response.answers = withSignatures(response.answers, signer: signer)
        let negativeTTL = zone.negativeSOA.ttl
        if !response.header.authoritative {
            // A referral: the NS set is the child's, unsigned; the NSEC at the cut says there is no DS.
            guard case .delegation(let cut) = kind else { return rcode }
            response.authority += signer.denial(at: cut, types: [.ns], ttl: negativeTTL)
            return rcode
        }
        guard response.answers.isEmpty else { return rcode }
        let soa = zone.negativeSOA
        var types: Set<RecordType> = [.nxname]
        var code = rcode
        if rcode == .nameError {
            if signer.denial == .whiteLies, let encloser = closestEncloser(of: question.name) {
                let lies = signer.whiteLies(for: question.name, closestEncloser: encloser, ttl: negativeTTL)
                if !lies.isEmpty {
                    response.authority = [soa] + signer.signatures(for: [soa]) + lies
                    return rcode
                }
            }
            code = compactOK ? .nameError : .noError
        } else {
            types = zone.types(of: kind)
            if case .apex = kind { types.formUnion([.dnskey, .cds, .cdnskey]) }
            types.remove(question.type)
        }
        response.authority = [soa] + signer.signatures(for: [soa]) + signer.denial(at: question.name, types: types, ttl: negativeTTL)
        return code
    }

    /// The longest ancestor of `name` that exists in the zone (the apex at least).
    func closestEncloser(of name: DNSName) -> DNSName? {
        var labels = name.labels.dropFirst()
        while labels.count >= zone.apex.labels.count {
            guard let ancestor = DNSName(labels: Array(labels)) else { return nil }
            switch zone.kind(of: ancestor) {
            case .nonexistent: labels = labels.dropFirst()
            case .outside: return nil
            default: return ancestor
            }
        }
        return nil
    }

    /// `records` with each record set's signatures after it (a set: consecutive records of one
    /// owner and type).
    func withSignatures(_ records: [ResourceRecord], signer: ZoneSigner) -> [ResourceRecord] {
        var signed: [ResourceRecord] = []
        var start = 0
        while start < records.count {
            var end = start + 1
            while end < records.count, records[end].name == records[start].name, records[end].type == records[start].type { end += 1 }
            let set = Array(records[start..<end])
            signed += set + signer.signatures(for: set)
            start = end
        }
        return signed
    }
}
