/// One captured frame.
///
/// `bytes` is borrowed from the reader and stays valid only until the next
/// call to `next()`: consumers copy what they must keep (gopacket's
/// ZeroCopyReadPacketData contract).
public struct Frame {
    /// 1-based, counted across all inputs of a run in the order given, as
    /// Wireshark numbers them in a single file (or in `mergecap -a` output).
    public var number: Int
    public var time: CaptureTime
    public var linkType: LinkType
    /// Length of the packet on the wire; `bytes.count` may be smaller (snap length).
    public var originalLength: Int
    public var bytes: UnsafeRawBufferPointer

    @inlinable
    public init(number: Int, time: CaptureTime, linkType: LinkType, originalLength: Int, bytes: UnsafeRawBufferPointer) {
        self.number = number
        self.time = time
        self.linkType = linkType
        self.originalLength = originalLength
        self.bytes = bytes
    }
}
