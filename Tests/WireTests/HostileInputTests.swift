import Capture
import Testing
import TestSupport
import Wire

/// Every frame the other suites decode, each with the link type it was captured on.
let hostileSeeds: [(name: String, linkType: LinkType, bytes: [UInt8])] = {
    var seeds = linkFixtures.map { ($0.name, $0.linkType, $0.bytes) }
    seeds.append(("ICMP fragmentation needed", .rawFile, handFragmentationNeeded))
    seeds.append(("ICMP admin prohibited", .rawFile, icmp4(type: 3, code: 13, quoting: offending4)))
    seeds.append(("ICMPv6 packet too big", .rawFile, icmp6(type: 2, code: 0, mtu: 1280, quoting: offending6)))
    seeds.append(("ICMPv6 quoting a fragment header", .rawFile,
                  icmp6(type: 1, code: 4, quoting: ipv6(extensions: Ext.fragment(next: 6, offset: 0, more: true, id: 1),
                                                        first: 44, transport: tcp(client6, server6)))))
    seeds.append(("IPv6 extension chain", .ethernet, FrameBuilder.ethernet(ipv6(
        extensions: extensionCases[5].headers, first: extensionCases[5].first, transport: tcp(client6, server6, payload: [1])))))
    seeds.append(("IPv6 later fragment", .rawFile,
                  ipv6(extensions: Ext.fragment(next: 6, offset: 8, more: false, id: 3), first: 44, transport: [1, 2, 3])))
    seeds.append(("IPv4 later fragment", .rawFile,
                  FrameBuilder.ipv4(source: client4.address, destination: server4.address, protocolNumber: 6,
                                    fragmentOffset: 8, payload: [1, 2, 3, 4])))
    seeds.append(("TCP with 40 option bytes", .rawFile, ipv4TCP(options: optionCases[4].bytes, payload: [9])))
    seeds.append(("UDP over SLL2", .linuxSLL2, FrameBuilder.sll2(FrameBuilder.ip(
        source: client4.address, destination: server4.address, protocolNumber: 17,
        transport: FrameBuilder.udpDatagram(source: client4, destination: server4, payload: [1, 2, 3])))))
    seeds.append(("IPv4 with options", .rawFile,
                  hex(["4600 0030 0001 0000 4006 0000 0a000001 0a000002 94040000"]) + Array(handIPv4TCP[20...])))
    return seeds
}()

@Suite struct HostileInputTests {
    /// Every strict prefix decodes without trapping, to `.ip` only with offsets inside the prefix.
    @Test func everyPrefixOfEveryFixture() {
        for seed in hostileSeeds {
            for n in 0..<seed.bytes.count {
                let prefix = Array(seed.bytes.prefix(n))
                let (status, p) = decode(prefix, seed.linkType)
                expectOffsetsInBounds(status, p, count: n)
            }
            // The whole frame decodes.
            #expect(decode(seed.bytes, seed.linkType).0 == .ip, "\(seed.name)")
        }
    }

    /// The link header's prefixes are `link_header_truncated`; nothing shorter than it can be IP.
    @Test(arguments: linkFixtures)
    func prefixesInsideTheLinkHeader(_ fixture: LinkFixture) {
        let linkLength = fixture.expected.ipHeaderOffset
        for n in 0..<linkLength {
            let status = decode(Array(fixture.bytes.prefix(n)), fixture.linkType).0
            #expect(status == .malformed(.linkHeaderTruncated), "prefix \(n)")
        }
        // Any cut inside the IP+TCP headers is malformed, never `.ip`.
        for n in linkLength..<(fixture.expected.payloadOffset) {
            #expect(decode(Array(fixture.bytes.prefix(n)), fixture.linkType).0 != .ip, "prefix \(n)")
        }
    }

    /// Seeded random mutations of every fixture, decoded under every link type.
    @Test(arguments: Array(hostileSeeds.indices))
    func randomMutations(seedIndex: Int) {
        let seed = hostileSeeds[seedIndex]
        var rng = SplitMix64(seed: 0x5EED_0000 + UInt64(seedIndex))
        var packet = DecodedPacket()
        for _ in 0..<3000 {
            var bytes = seed.bytes
            let edits = Int.random(in: 1...6, using: &rng)
            for _ in 0..<edits {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0:
                    // Cut the frame short.
                    bytes.removeLast(Int.random(in: 0...bytes.count, using: &rng))
                case 1:
                    // Append garbage.
                    bytes += (0..<Int.random(in: 1...32, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                case 2 where !bytes.isEmpty:
                    // Extreme values are where length arithmetic goes wrong.
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = [0x00, 0xFF, 0x0F, 0xF0, 0x80][Int.random(in: 0..<5, using: &rng)]
                default:
                    if !bytes.isEmpty {
                        bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                    }
                }
            }
            let exact = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
            bytes.withUnsafeBytes { if !$0.isEmpty { exact.copyMemory(from: $0) } }
            for linkType in allLinkTypes {
                let status = PacketDecoder.decode(UnsafeRawBufferPointer(exact), linkType: linkType, into: &packet)
                if status == .ip, packet.payloadOffset + packet.payloadLength > bytes.count || packet.payloadOffset > bytes.count {
                    Issue.record("\(seed.name) as \(linkType): payload \(packet.payloadOffset)+\(packet.payloadLength) outside \(bytes.count) bytes: \(bytes)")
                }
            }
            exact.deallocate()
        }
    }
}
