import MeridianCore

extension DNSFastPath {
    /// Writes the answer to `query` into `output` and describes it, or returns `nil` when this query
    /// needs `DNSResponder` (anything but the common case, or an answer larger than allowed).
    public func answer(_ query: UnsafeRawBufferPointer, from client: IPAddress, over transport: DNSResponder.Transport,
                       into output: UnsafeMutableRawBufferPointer) -> Answer? {
        let count = query.count
        guard count >= 17 else { return nil }
        let flags = query.u16(2)
        // A query (QR clear), opcode QUERY, one question, no answers or authority, at most OPT.
        guard flags & 0xF800 == 0, query.u16(4) == 1, query.u16(6) == 0, query.u16(8) == 0 else { return nil }
        let additional = query.u16(10)
        guard additional <= 1 else { return nil }

        // The question's name: plain labels only, matched against the service names ignoring case.
        var offset = 12
        var nameLength = 0
        while true {
            guard offset < count else { return nil }
            let length = Int(query[offset])
            if length == 0 { break }
            guard length <= 63, offset + 1 + length < count else { return nil }
            offset += 1 + length
            nameLength += length + 1
            guard nameLength < 255 else { return nil }
        }
        let nameEnd = offset + 1
        guard let service = serviceIndex(query, nameEnd: nameEnd), nameEnd + 4 <= count else { return nil }
        let type = query.u16(nameEnd)
        guard type == RecordType.a.rawValue || type == RecordType.aaaa.rawValue, query.u16(nameEnd + 2) == 1 else { return nil }
        let questionEnd = nameEnd + 4

        // EDNS, if any: version 0, client subnet checked as strictly as the decoder does.
        var edns = false
        var dnssecOK = false
        var payload = 512
        var subnet: (start: Int, length: Int, address: IPAddress, source: Int)?
        if additional == 1 {
            guard questionEnd + 11 <= count, query[questionEnd] == 0, query.u16(questionEnd + 1) == RecordType.opt.rawValue,
                  query[questionEnd + 6] == 0 else { return nil }
            edns = true
            payload = min(max(Int(query.u16(questionEnd + 3)), 512), DNSResponder.maximumUDPPayload)
            let ednsFlags = query.u16(questionEnd + 7)
            dnssecOK = ednsFlags & 0x8000 != 0
            // Compact OK is echoed by the responder.
            guard ednsFlags & 0x4000 == 0 || signedTemplates.isEmpty else { return nil }
            let dataLength = Int(query.u16(questionEnd + 9))
            var option = questionEnd + 11
            guard option + dataLength == count else { return nil }
            while option < count {
                guard option + 4 <= count else { return nil }
                let code = query.u16(option), length = Int(query.u16(option + 2))
                guard option + 4 + length <= count else { return nil }
                if code == EDNS.clientSubnetOption {
                    guard subnet == nil, let parsed = clientSubnet(query, at: option + 4, length: length) else { return nil }
                    subnet = (option, 4 + length, parsed.address, parsed.source)
                }
                // Asked for the server's identifier (NSID): the responder answers it.
                guard code != EDNS.nsidOption else { return nil }
                option += 4 + length
            }
        } else {
            guard questionEnd == count else { return nil }
        }

        // Where the client is, and which lane it is in.
        let address = subnet.flatMap { $0.source > 0 ? $0.address : nil } ?? client
        let place = places.bucket(for: address)
        let lane = ClientLanes.lane(for: address)
        let family = type == RecordType.a.rawValue ? 0 : 1
        let index = ((service * 2 + family) * places.count + place.bucket) * ClientLanes.count + lane
        let template = dnssecOK && !signedTemplates.isEmpty ? signedTemplates[index] : templates[index]
        guard template.isUsable else { return nil }

        let questionLength = questionEnd - 12
        let optLength = edns ? 11 + (subnet?.length ?? 0) : 0
        let total = 12 + questionLength + template.records.count + optLength
        let limit = transport == .tcp ? DNSResponder.maximumTCPMessage : (edns ? payload : 512)
        guard total <= limit, total <= output.count else { return nil }

        // Header, question, records, OPT.
        output.storeBytes(of: query.u16(0).bigEndian, toByteOffset: 0, as: UInt16.self)
        output.storeBytes(of: (0x8400 | flags & 0x0110).bigEndian, toByteOffset: 2, as: UInt16.self)
        output.storeBytes(of: UInt16(1).bigEndian, toByteOffset: 4, as: UInt16.self)
        output.storeBytes(of: template.answerCount.bigEndian, toByteOffset: 6, as: UInt16.self)
        output.storeBytes(of: template.authorityCount.bigEndian, toByteOffset: 8, as: UInt16.self)
        output.storeBytes(of: UInt16(edns ? 1 : 0).bigEndian, toByteOffset: 10, as: UInt16.self)
        var cursor = 12
        output.baseAddress!.advanced(by: cursor).copyMemory(from: query.baseAddress!.advanced(by: 12), byteCount: questionLength)
        cursor += questionLength
        template.records.withUnsafeBytes { records in
            output.baseAddress!.advanced(by: cursor).copyMemory(from: records.baseAddress!, byteCount: records.count)
        }
        cursor += template.records.count
        var usedSubnet = false
        if edns {
            output[cursor] = 0
            output.storeBytes(of: RecordType.opt.rawValue.bigEndian, toByteOffset: cursor + 1, as: UInt16.self)
            output.storeBytes(of: UInt16(DNSResponder.maximumUDPPayload).bigEndian, toByteOffset: cursor + 3, as: UInt16.self)
            output.storeBytes(of: UInt32(dnssecOK ? 0x8000 : 0).bigEndian, toByteOffset: cursor + 5, as: UInt32.self)
            output.storeBytes(of: UInt16(subnet?.length ?? 0).bigEndian, toByteOffset: cursor + 9, as: UInt16.self)
            cursor += 11
            if let subnet {
                output.baseAddress!.advanced(by: cursor).copyMemory(from: query.baseAddress!.advanced(by: subnet.start),
                                                                    byteCount: subnet.length)
                if subnet.source > 0 {
                    output[cursor + 7] = UInt8(clamping: template.split ? subnet.source : place.prefix?.length ?? subnet.source)
                    usedSubnet = true
                }
                cursor += subnet.length
            }
        }
        return Answer(length: cursor, queryType: RecordType(rawValue: type), regionIndex: template.regionIndex,
                      usedClientSubnet: usedSubnet)
    }

    /// The index of the service whose name the question asks for, comparing lower-cased wire forms.
    private func serviceIndex(_ query: UnsafeRawBufferPointer, nameEnd: Int) -> Int? {
        let length = nameEnd - 12
        search: for (index, key) in serviceKeys.enumerated() where key.count == length {
            for position in 0..<length where query[12 + position].asciiLowercased != key[position] {
                continue search
            }
            return index
        }
        return nil
    }

    /// A client subnet option's address and source prefix, checked like `DNSMessage` checks it; a
    /// non-zero scope (a FORMERR) is left to the responder.
    private func clientSubnet(_ query: UnsafeRawBufferPointer, at start: Int, length: Int) -> (address: IPAddress, source: Int)? {
        guard length >= 4 else { return nil }
        let family = query.u16(start), source = Int(query[start + 2]), scope = query[start + 3]
        let width = family == 1 ? 32 : family == 2 ? 128 : 0
        guard width > 0, scope == 0, source <= width, length - 4 == (source + 7) / 8 else { return nil }
        var bits = UInt128(0)
        for index in 0..<(width / 8) {
            bits = bits << 8 | UInt128(index < length - 4 ? query[start + 4 + index] : 0)
        }
        let address: IPAddress = width == 32 ? .v4(UInt32(truncatingIfNeeded: bits)) : .v6(bits)
        guard IPPrefix(masking: address, length: source).address == address else { return nil }
        return (address, source)
    }
}

extension UnsafeRawBufferPointer {
    /// The big-endian 16-bit integer at `offset` (the caller has checked the bounds).
    fileprivate func u16(_ offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }
}
