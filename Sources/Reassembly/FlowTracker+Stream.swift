import Capture
import Wire

/// Per-direction sequencing: where each segment's bytes belong in the stream,
/// what is delivered, buffered, counted as retransmitted, or given up as a gap.
extension FlowTracker {
    /// Largest distance (bytes) from the expected sequence still taken as part
    /// of this stream; further away is garbage or a different connection.
    static var plausibleDistance: Int64 { 1 << 30 }
    /// Out-of-order segments kept per direction, whatever their size.
    static var maxPendingSegments: Int { 1024 }

    /// A cooked capture on a router holds each forwarded packet twice (in on one
    /// interface, out on another), a few microseconds apart. The copy is skipped.
    static var duplicateWindow: Int64 { 100 * CaptureTime.millisecond }

    func isCaptureDuplicate(_ state: DirectionState, _ frame: Frame) -> Bool {
        guard let packetType = packet.cookedPacketType else { return false }
        let tcp = packet.tcp
        let signature = PacketSignature(
            sequence: tcp.sequence, acknowledgment: tcp.acknowledgment, flags: tcp.flags.rawValue, window: tcp.window,
            payloadLength: packet.payloadWireLength, ipID: packet.ip.identification,
            interface: packet.cookedInterface ?? 0, packetType: packetType, time: frame.time.nanoseconds)
        let last = state.lastSignature, lastTime = CaptureTime(nanoseconds: last.time)
        state.lastSignature = signature
        return last.sequence == signature.sequence && last.acknowledgment == signature.acknowledgment
            && last.flags == signature.flags && last.window == signature.window
            && last.payloadLength == signature.payloadLength && last.ipID == signature.ipID
            && (last.interface != signature.interface || last.packetType != signature.packetType)
            && frame.time >= lastTime && frame.time.distance(to: lastTime) < UInt64(Self.duplicateWindow)
    }

    func handleSegment(_ connection: TCPConnection, _ direction: Direction, _ frame: Frame) {
        // The two states are passed straight from the connection's `let` fields:
        // as arguments they are borrowed, where locals chosen by `direction`
        // would be retained and released on every packet.
        if direction == .clientToServer {
            handleSegment(connection, direction, frame, state: connection.clientToServer, peer: connection.serverToClient)
        } else {
            handleSegment(connection, direction, frame, state: connection.serverToClient, peer: connection.clientToServer)
        }
    }

    func handleSegment(_ connection: TCPConnection, _ direction: Direction, _ frame: Frame,
                       state: DirectionState, peer: DirectionState) {
        let tcp = packet.tcp
        let flags = tcp.flags
        if isCaptureDuplicate(state, frame) {
            state.captureDuplicates += 1
            stats.captureDuplicates += 1
            return
        }
        connection.lastFrame = frame.number
        if frame.time > connection.lastTime { connection.lastTime = frame.time }
        state.packets += 1
        if state.firstFrame == nil {
            state.firstFrame = frame.number
            state.firstTime = frame.time
        }
        state.lastFrame = frame.number
        state.lastTime = frame.time
        state.profile.observe(ttl: packet.ip.ttl)
        if packet.ip.isFragment { note(connection, .ipFragment, frame.number) }
        if tcp.options.malformed { note(connection, .malformedOptions, frame.number) }

        var kind = SegmentKind.control

        // Opening: the SYN fixes this direction's ISN.
        if flags.contains(.syn) {
            state.synCount += 1
            if flags.contains(.ack) {
                if connection.synAckFrame == nil { connection.synAckFrame = frame.number; connection.synAckTime = frame.time }
                if !peer.hasISN {
                    // The SYN was not captured, but the SYN-ACK tells its ISN.
                    peer.hasISN = true
                    peer.isn = tcp.acknowledgment &- 1
                    peer.nextSequence = tcp.acknowledgment
                }
            } else {
                if connection.synFrame == nil { connection.synFrame = frame.number; connection.synTime = frame.time }
                if connection.synAckFrame == nil && direction == .clientToServer { connection.lastSYNTime = frame.time }
                if direction == .serverToClient && !connection.simultaneousOpen {
                    connection.simultaneousOpen = true
                    note(connection, .simultaneousOpen, frame.number)
                }
            }
            if tcp.options.mss != 0 { state.announcedMSS = tcp.options.mss }
            state.windowScale = tcp.options.windowScale
            if state.sawSYN && tcp.sequence == state.isn {
                kind = .synRetransmission
            } else if !state.hasISN || (state.nextOffset == 0 && state.pending.isEmpty) {
                state.hasISN = true
                state.sawSYN = true
                state.isn = tcp.sequence
                state.nextSequence = tcp.sequence &+ 1
                state.nextOffset = 0
            }
        } else if !state.hasISN {
            // The capture began after this side's SYN: start the stream here.
            state.hasISN = true
            state.isn = tcp.sequence &- 1
            state.nextSequence = tcp.sequence
            state.nextOffset = 0
        }

        // The three-way handshake completes with the client's first ACK after the SYN-ACK.
        if direction == .clientToServer && flags.contains(.ack) && !flags.contains(.syn)
            && connection.synAckFrame != nil && connection.establishedFrame == nil && !flags.contains(.rst) {
            connection.establishedFrame = frame.number
            connection.establishedTime = frame.time
        }

        // What this packet acknowledges of the other direction.
        if flags.contains(.ack) && peer.hasISN && !flags.contains(.rst) {
            let acked = peer.offset(of: tcp.acknowledgment)
            if acked > Int64(peer.ackedOffset) && acked - Int64(peer.nextOffset) < Self.plausibleDistance {
                peer.ackedOffset = UInt64(acked)
                // Data ahead of a hole the receiver already acknowledged: the hole was never captured.
                if let first = peer.pending.first, first.offset <= peer.ackedOffset {
                    releasePending(connection, direction.reversed, peer, upTo: peer.ackedOffset, frame: frame.number)
                }
            }
        }
        if tcp.window == 0 && !flags.contains(.rst) && !flags.contains(.syn) { state.zeroWindows += 1 }

        let length = packet.payloadWireLength
        let dataSequence = flags.contains(.syn) ? tcp.sequence &+ 1 : tcp.sequence
        let start = state.offset(of: dataSequence)
        if length > 0 && !flags.contains(.rst) {
            state.payloadBytes += UInt64(length)
            if length > state.largestSegment { state.largestSegment = length }
            if connection.wasReset { note(connection, .packetAfterReset, frame.number) }
            if let fin = state.finOffset, start >= Int64(fin) { note(connection, .dataAfterFIN, frame.number) }
            kind = placePayload(connection, direction, state, start: start, length: length, frame: frame)
        } else if length == 0 && !flags.contains(.syn) && !flags.contains(.fin) && !flags.contains(.rst)
                    && start == Int64(state.nextOffset) - 1 {
            state.keepAlives += 1
            kind = .keepAlive
        }

        if flags.contains(.fin) {
            if state.firstFINFrame == nil { state.firstFINFrame = frame.number }
            let end = start + Int64(length)
            if state.finOffset == nil && end >= 0 { state.finOffset = UInt64(end) }
            deliverFINIfReached(connection, direction, state, frame: frame)
        }
        if flags.contains(.rst) {
            state.rstCount += 1
            if state.firstRSTFrame == nil {
                state.firstRSTFrame = frame.number
                state.firstRSTTime = frame.time
            }
        }

        // Resets are always reported: a late RST must still be judged.
        if connection.observeSegments || flags.contains(.rst) {
            // The reset judge's view of each sender is kept for RDP connections only (by
            // port from the start, by content from the packet that showed it).
            if connection.isRDP {
                state.observed.record(frame: frame.number, time: frame.time, isReset: flags.contains(.rst), ttl: packet.ip.ttl,
                                      ipID: packet.ip.identification, isIPv6: packet.ip.version == 6, payloadLength: length)
            }
            consumer.segment(connection, SegmentEvent(
                frame: frame.number, time: frame.time, direction: direction, flags: flags,
                sequence: tcp.sequence, acknowledgment: tcp.acknowledgment, streamOffset: start,
                payloadLength: length, window: tcp.window, ttl: packet.ip.ttl,
                ipID: packet.ip.identification, dontFragment: packet.ip.dontFragment,
                isIPv6: packet.ip.version == 6, options: tcp.options, kind: kind,
                ipLength: packet.ip.totalLength))
        }
    }

    /// Puts a segment's payload where it belongs and says what it was.
    func placePayload(_ connection: TCPConnection, _ direction: Direction, _ state: DirectionState,
                      start: Int64, length: Int, frame: Frame) -> SegmentKind {
        let next = Int64(state.nextOffset)
        let end = start + Int64(length)
        let captured = UnsafeRawBufferPointer(rebasing: frame.bytes[packet.payloadOffset..<packet.payloadOffset + packet.payloadLength])
        if end - next > Self.plausibleDistance || next - start > Self.plausibleDistance {
            note(connection, .sequenceImplausible, frame.number)
            return .implausible
        }
        if end <= next {
            if length == 1 && start == next - 1 && state.finOffset == nil {
                state.keepAlives += 1
                return .keepAlive
            }
            state.retransmissions += 1
            compareOverlap(connection, state, captured, at: start, frame: frame.number)
            return .retransmission
        }
        if start < next {
            // Part old, part new: check the old part, deliver the rest.
            state.retransmissions += 1
            let overlap = Int(next - start)
            if overlap < captured.count {
                compareOverlap(connection, state, UnsafeRawBufferPointer(rebasing: captured[0..<overlap]), at: start, frame: frame.number)
                deliver(connection, direction, state, UnsafeRawBufferPointer(rebasing: captured[overlap...]),
                        wireLength: length - overlap, frame: frame)
            } else {
                deliver(connection, direction, state, UnsafeRawBufferPointer(start: nil, count: 0),
                        wireLength: length - overlap, frame: frame)
            }
            flushPending(connection, direction, state, frame: frame.number)
            return .partialRetransmission
        }
        if start > next {
            if Int64(state.ackedOffset) >= start {
                // The receiver acknowledged the missing bytes already: they will not come.
                declareGap(connection, direction, state, upTo: UInt64(start), frame: frame.number)
                flushPending(connection, direction, state, frame: frame.number)
                if Int64(state.nextOffset) != start {
                    return placePayload(connection, direction, state, start: start, length: length, frame: frame)
                }
            } else {
                state.outOfOrder += 1
                buffer(connection, direction, state, captured, start: UInt64(start), length: length, frame: frame.number)
                return .outOfOrder
            }
        }
        deliver(connection, direction, state, captured, wireLength: length, frame: frame)
        flushPending(connection, direction, state, frame: frame.number)
        return .inOrder
    }

    /// Hands in-order bytes to the consumer (within the depth) and advances the stream.
    /// `wireLength` may exceed `bytes.count` when the capture cut the packet: the rest is a gap.
    func deliver(_ connection: TCPConnection, _ direction: Direction, _ state: DirectionState,
                 _ bytes: UnsafeRawBufferPointer, wireLength: Int, frame: Frame) {
        let offset = state.nextOffset
        if state.wantsPayload && bytes.count > 0 {
            hand(connection, direction, state, bytes, offset: offset, frame: frame.number, time: frame.time)
        }
        state.nextOffset += UInt64(bytes.count)
        state.nextSequence &+= UInt32(truncatingIfNeeded: bytes.count)
        if wireLength > bytes.count {
            note(connection, .truncatedPayload, frame.number)
            declareGap(connection, direction, state, upTo: offset + UInt64(wireLength), frame: frame.number)
        }
        deliverFINIfReached(connection, direction, state, frame: frame)
    }

    /// Passes bytes to the consumer, honouring the depth and the consumer's stop.
    func hand(_ connection: TCPConnection, _ direction: Direction, _ state: DirectionState,
              _ bytes: UnsafeRawBufferPointer, offset: UInt64, frame: Int, time: CaptureTime) {
        var bytes = bytes
        let room = config.payloadDepth - Int(state.deliveredBytes)
        var reachedDepth = false
        if bytes.count >= room {
            bytes = UnsafeRawBufferPointer(rebasing: bytes[0..<max(0, room)])
            reachedDepth = true
        }
        if !bytes.isEmpty {
            state.deliveredBytes += UInt64(bytes.count)
            if config.overlapCheckWindow > 0 {
                if state.recent == nil { state.recent = RecentBytes(window: config.overlapCheckWindow) }
                let position = keep(bytes, connection, direction, state)
                kept.delivered += UInt64(bytes.count)
                state.recent?.append(offset: offset, length: bytes.count, position: position, delivered: kept.delivered)
            }
            switch consumer.data(connection, direction, bytes, offset: offset, frame: frame, time: time) {
            case .keep: break
            case .stop:
                stopPayload(state)
                return
            case .stopConnection:
                stopPayload(connection)
                return
            }
        }
        if reachedDepth {
            note(connection, .depthReached, frame)
            stopPayload(state)
        }
    }

    func stopPayload(_ state: DirectionState) {
        guard state.wantsPayload else { return }
        state.wantsPayload = false
        state.recent = nil
        // Keep the ranges of buffered segments (for sequence accounting), drop their bytes.
        for i in state.pending.indices where !state.pending[i].bytes.isEmpty {
            stats.pendingBytes -= state.pending[i].bytes.count
            state.pendingBytes -= state.pending[i].bytes.count
            state.pending[i].bytes = []
        }
    }

    func compareOverlap(_ connection: TCPConnection, _ state: DirectionState, _ bytes: UnsafeRawBufferPointer,
                        at start: Int64, frame: Int) {
        guard start >= 0, !bytes.isEmpty else { return }
        if state.recent?.matches(bytes, at: UInt64(start), in: kept) == false {
            state.overlapsDiffering += 1
            note(connection, .overlapDifferentData, frame)
        }
    }

    /// Where delivered `bytes` are kept: their place in the capture history when their
    /// chunk is there (the direction listed for the epoch), else a copy in the log.
    @inline(__always)
    func keep(_ bytes: UnsafeRawBufferPointer, _ connection: TCPConnection, _ direction: Direction,
              _ state: DirectionState) -> UInt64 {
        guard let history = kept.history else { return kept.log.append(bytes) }
        return history._withUnsafeGuaranteedRef { history in
            guard let position = history.position(of: bytes) else { return kept.log.append(bytes) }
            let epoch = kept.epoch(of: position)
            if state.historyEpoch != epoch {
                state.historyEpoch = epoch
                kept.list(slot: connection.slot, id: connection.id, direction, epoch: epoch)
            }
            return position | KeptBytes.inHistory
        }
    }

    /// Releases the history's epochs more than `epochsKeptBehind` behind the one being
    /// read, first copying to the log what the directions listed there may still compare.
    func releaseEpochs(_ history: CaptureHistory) {
        let current = kept.epoch(of: history.chunkStart)
        // Whether the history is worth keeping, from the epochs just read.
        let read = current * kept.epochBytes - (kept.nextEpochAt - kept.epochBytes)
        history.setKeeping((kept.delivered - kept.deliveredAtReadEpoch) * KeptBytes.keepingShare >= read)
        kept.nextEpochAt = (current + 1) * kept.epochBytes
        kept.deliveredAtReadEpoch = kept.delivered
        guard current >= KeptBytes.epochsKeptBehind else { return }
        while kept.firstEpoch < current - KeptBytes.epochsKeptBehind {
            let boundary = (kept.firstEpoch + 1) * kept.epochBytes
            if !kept.listed.isEmpty {
                for listed in kept.listed.removeFirst() { rescue(listed, below: boundary, from: history) }
            }
            kept.firstEpoch += 1
            history.release(upTo: boundary)
        }
    }

    /// Copies to the log the bytes a listed direction keeps in the history below `boundary`.
    func rescue(_ listed: KeptBytes.ListedDirection, below boundary: UInt64, from history: CaptureHistory) {
        guard listed.slot >= 0, Int(listed.slot) < unretainedSlots.count,
              let connection = unretainedSlots[Int(listed.slot)] else { return }
        connection._withUnsafeGuaranteedRef { connection in
            // The slot may hold a later connection by now.
            guard connection.id == listed.id else { return }
            let state = connection.state(listed.direction)
            guard let last = state.recent?.lastDelivery, kept.delivered - last < UInt64(kept.log.capacity) else { return }
            state.recent!.relocate(historyBelow: boundary) { position, count in
                withUnsafeTemporaryAllocation(byteCount: count, alignment: 16) { buffer in
                    history.copy(from: position, count: count, to: buffer.baseAddress!)
                    return kept.log.append(UnsafeRawBufferPointer(buffer))
                }
            }
        }
    }

    /// Keeps an out-of-order segment (its bytes only while payload is wanted and the budgets allow).
    func buffer(_ connection: TCPConnection, _ direction: Direction, _ state: DirectionState,
                _ bytes: UnsafeRawBufferPointer, start: UInt64, length: Int, frame: Int) {
        var keepBytes = state.wantsPayload && bytes.count == length
        if keepBytes && (state.pendingBytes + length > config.maxPendingBytesPerFlow
                         || stats.pendingBytes + length > config.maxPendingBytesTotal
                         || state.pending.count >= Self.maxPendingSegments) {
            // Over budget: give up on the hole rather than grow.
            stats.pendingBudgetHits += 1
            note(connection, .pendingBudgetExceeded, frame)
            releasePending(connection, direction, state, upTo: start, trailing: true, frame: frame)
            if state.nextOffset == start {
                // Now in order: deliver directly.
                if state.wantsPayload { hand(connection, direction, state, bytes, offset: start, frame: frame, time: now) }
                state.nextOffset += UInt64(length)
                state.nextSequence &+= UInt32(truncatingIfNeeded: length)
                flushPending(connection, direction, state, frame: frame)
                return
            }
            keepBytes = false
        }
        if state.pending.count >= Self.maxPendingSegments { keepBytes = false }
        let segment = PendingSegment(offset: start, length: length, bytes: keepBytes ? Array(bytes) : [], frame: frame)
        // Sorted insert; most arrivals go at the end.
        var index = state.pending.count
        while index > 0 && state.pending[index - 1].offset > start { index -= 1 }
        if index > 0 && state.pending[index - 1].offset == start && state.pending[index - 1].length >= length {
            state.retransmissions += 1
            return
        }
        state.pending.insert(segment, at: index)
        if keepBytes {
            state.pendingBytes += length
            stats.pendingBytes += length
        }
    }

    /// Delivers buffered segments that became in order.
    func flushPending(_ connection: TCPConnection, _ direction: Direction, _ state: DirectionState, frame: Int) {
        while let first = state.pending.first, first.offset <= state.nextOffset {
            state.pending.removeFirst()
            if !first.bytes.isEmpty {
                state.pendingBytes -= first.bytes.count
                stats.pendingBytes -= first.bytes.count
            }
            let end = first.offset + UInt64(first.length)
            guard end > state.nextOffset else { continue }
            let skip = Int(state.nextOffset - first.offset)
            let newLength = first.length - skip
            if state.wantsPayload && !first.bytes.isEmpty {
                first.bytes.withUnsafeBytes { raw in
                    hand(connection, direction, state, UnsafeRawBufferPointer(rebasing: raw[skip...]),
                         offset: state.nextOffset, frame: first.frame, time: now)
                }
            }
            state.nextOffset = end
            state.nextSequence &+= UInt32(truncatingIfNeeded: newLength)
        }
        if state.pending.isEmpty, let fin = state.finOffset, state.nextOffset == fin, !state.finDelivered {
            state.finDelivered = true
            consumer.ended(connection, direction, frame: frame, time: now)
        }
    }

    /// Gives up on the holes before buffered segments that start at or before
    /// `target` (all of them with `allPending`), delivering those segments, and,
    /// with `trailing`, on any bytes still missing up to `target`.
    func releasePending(_ connection: TCPConnection, _ direction: Direction, _ state: DirectionState,
                        upTo target: UInt64, allPending: Bool = false, trailing: Bool = false, frame: Int) {
        while true {
            flushPending(connection, direction, state, frame: frame)
            guard let first = state.pending.first, allPending || first.offset <= target else { break }
            declareGap(connection, direction, state, upTo: first.offset, frame: frame)
        }
        if trailing && target > state.nextOffset {
            declareGap(connection, direction, state, upTo: target, frame: frame)
            flushPending(connection, direction, state, frame: frame)
        }
    }

    func declareGap(_ connection: TCPConnection, _ direction: Direction, _ state: DirectionState,
                    upTo target: UInt64, frame: Int) {
        guard target > state.nextOffset else { return }
        let length = target - state.nextOffset
        state.gaps += 1
        state.gapBytes += length
        if state.wantsPayload {
            consumer.gap(connection, direction, offset: state.nextOffset, length: length, frame: frame)
        }
        note(connection, .gap, frame)
        state.nextOffset = target
        state.nextSequence &+= UInt32(truncatingIfNeeded: length)
    }

    func deliverFINIfReached(_ connection: TCPConnection, _ direction: Direction, _ state: DirectionState, frame: Frame) {
        if let fin = state.finOffset, state.nextOffset == fin, !state.finDelivered, state.pending.isEmpty {
            state.finDelivered = true
            consumer.ended(connection, direction, frame: frame.number, time: frame.time)
        }
    }

    @inline(__always)
    func note(_ connection: TCPConnection, _ anomaly: StreamAnomaly, _ frame: Int) {
        if connection.note(anomaly, frame: frame) { consumer.anomaly(connection, anomaly, frame: frame) }
    }
}
