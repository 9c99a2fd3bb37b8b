/// Which way a packet or a byte travels within a connection. The client is the
/// side that sent the first SYN (or, without one, the side talking to the
/// server port).
public enum Direction: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case clientToServer = 0
    case serverToClient = 1

    @inlinable public var reversed: Direction { self == .clientToServer ? .serverToClient : .clientToServer }

    /// "client" or "server": the side that sends in this direction.
    public var sender: String { self == .clientToServer ? "client" : "server" }

    public var description: String { self == .clientToServer ? "client->server" : "server->client" }
}
