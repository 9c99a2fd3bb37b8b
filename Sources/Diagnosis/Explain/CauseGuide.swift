/// What an administrator needs to know about each `Cause`: what it is, what in
/// a capture confirms it, what to do about it, and what mstsc is likely to have
/// shown. `rdpdiag explain` prints these; verdicts reuse `remedy` and
/// `consistentWith`.
///
/// All texts are full sentences. `consistentWith` starts with "Consistent with"
/// and never states the client's code as fact (DESIGN.md "Findings and verdict").
public struct CauseGuide: Sendable, Equatable {
    public let cause: Cause
    /// One line: what the cause is.
    public let description: String
    /// What a capture shows when this is the cause: frames and messages to look for.
    public let confirm: String
    /// What an administrator should do, in full sentences.
    public let remedy: String
    /// What mstsc would most likely have shown, or nil when nothing useful can be said.
    public let consistentWith: String?

    /// The side the cause puts the fault on (same as `cause.side`).
    public var side: Side { cause.side }

    /// The guide for one cause.
    public static func guide(for cause: Cause) -> CauseGuide {
        let (description, confirm, remedy, consistentWith) = texts(cause)
        return CauseGuide(cause: cause, description: description, confirm: confirm, remedy: remedy,
                          consistentWith: consistentWith)
    }

    public static func description(for cause: Cause) -> String { guide(for: cause).description }
    public static func confirm(for cause: Cause) -> String { guide(for: cause).confirm }
    public static func remedy(for cause: Cause) -> String { guide(for: cause).remedy }
    public static func consistentWith(for cause: Cause) -> String? { guide(for: cause).consistentWith }

    /// Guides for every cause, in `Cause.allCases` order.
    public static var all: [CauseGuide] { Cause.allCases.map(guide(for:)) }

    static func texts(_ cause: Cause) -> (String, String, String, String?) {
        switch cause {
        case .ok:
            return (
                "The connection worked: it reached the active session.",
                "Frames continue past licensing into the capability exchange and the session, with no close during the handshake.",
                "No action is needed: the connection reached the active session.",
                nil
            )
        case .noAnswer:
            return (
                "Nothing answered the client's connection attempt: the SYNs were dropped on the way or the server is down.",
                "The client's SYN to TCP 3389 is retransmitted (same sequence number, growing intervals) with no SYN-ACK, no RST and no ICMP error in reply.",
                "Check that the server is running and reachable at that address, then open TCP 3389 (or the configured RDP port) on every firewall in the path, including the 'Remote Desktop - User Mode (TCP-In)' rule of Windows Defender Firewall on the server, and check routing, NAT and port forwarding towards the server.",
                "Consistent with mstsc reporting that it cannot connect to the remote computer after a delay (disconnect reason 0x204 SocketConnectFailed or 0x108 ConnectionTimedOut)."
            )
        case .icmpUnreachable:
            return (
                "A router or firewall answered the connection attempt with an ICMP or ICMPv6 error.",
                "An ICMP Destination Unreachable (or ICMPv6 error) quoting the client's SYN or segment; its code says why (13 administratively prohibited = a firewall rule, 3 port unreachable, 1 host unreachable = routing), and its source address names the device that sent it.",
                "Go to the device whose address is the source of the ICMP error: for 'administratively prohibited' open TCP 3389 in its rules, for host or network unreachable fix the route or the server's address; then retry.",
                "Consistent with mstsc reporting at once that it cannot connect (disconnect reason 0x204 SocketConnectFailed)."
            )
        case .forgedReset:
            return (
                "An in-path device (firewall, IPS, gateway antivirus, TLS inspection, VPN gateway) reset the connection in the name of one of the endpoints.",
                "A RST that claims to come from the server (or the client) but whose TTL/hop limit or IPv4 ID does not fit that host's other packets, that arrives sooner than the round-trip time allows, or after which the claimed sender keeps sending (a race); often right after the TLS ClientHello.",
                "Find the in-path device from the reset's TTL (hop distance) and the capture point, and exempt RDP (TCP 3389) from its inspection or fix the rule or signature that matches (IPS, application control, TLS inspection, gateway antivirus); the client and server themselves are not at fault.",
                "Consistent with mstsc showing disconnect reason 0x904 (socket closed), sometimes with extended error 0x7, although the server never sent a Set Error Info PDU."
            )
        case .pathMTUBlackhole:
            return (
                "Full-size packets are lost on the path (MTU black hole, typically a tunnel or VPN) while small ones pass.",
                "Full-size segments (usually the server's TLS certificate flight) are retransmitted without ever being acknowledged while small segments get through, and no ICMP 'fragmentation needed' / ICMPv6 'packet too big' arrives.",
                "Fix the MTU on the tunnel or VPN interface, or clamp the TCP MSS on the tunnel router (e.g. iptables TCPMSS --clamp-mss-to-pmtu, or 'ip tcp adjust-mss 1360'), and let ICMP 'fragmentation needed' and ICMPv6 'packet too big' through every firewall so path MTU discovery works.",
                "Consistent with mstsc waiting for a while and then reporting a timeout or disconnect reason 0x904 once the handshake needs full-size packets."
            )
        case .stalled:
            return (
                "The handshake stopped in the middle of a stage: packets were lost or silently dropped and nobody closed the connection.",
                "The handshake stops mid-stage with retransmissions and no FIN or RST from either side.",
                "Look for packet loss, an overloaded link or a device that silently drops part of the traffic (IPS, load balancer, NAT timeout); capture on both ends at once to find where the packets disappear.",
                "Consistent with mstsc reporting a timeout (disconnect reason 0x108 ConnectionTimedOut, or 0x908 LicensingTimeout when it stalls during licensing)."
            )
        case .portClosed:
            return (
                "The server refused the TCP connection: nothing listens on the RDP port.",
                "The client's SYN is answered by a RST/ACK from the server, with the server's usual TTL (otherwise suspect a firewall rejecting in its name).",
                "Start the Remote Desktop Services (TermService) service, enable 'Allow remote connections to this computer', and check that it listens on the port the client uses (registry value PortNumber under HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp; 'netstat -ano | findstr 3389').",
                "Consistent with mstsc reporting at once that it cannot connect (disconnect reason 0x204 SocketConnectFailed)."
            )
        case .negotiationFailure:
            return (
                "The server refused the security protocols the client offered (RDP_NEG_FAILURE in the X.224 Connection Confirm).",
                "The server's X.224 Connection Confirm carries RDP_NEG_FAILURE (type 0x03) with a failure code, and the server closes the TCP connection right after; compare with the requestedProtocols of the client's RDP_NEG_REQ.",
                "Align the security layer of client and server: the failure code names the mismatch. On the server, set 'Require use of specific security layer for remote (RDP) connections' (Negotiate, SSL or RDP) and 'Require user authentication for remote connections by using Network Level Authentication' as intended; make the client offer the same (mstsc offers TLS and NLA by default; FreeRDP uses /sec:tls, /sec:nla or /sec:rdp).",
                "Consistent with mstsc showing a security-layer message (for example that the remote computer requires Network Level Authentication) rather than a bare disconnect code."
            )
        case .tlsRejectedByServer:
            return (
                "The server's TLS stack rejected the client's TLS handshake (version, cipher suites or an internal error).",
                "A TLS Alert record (content type 21) from the server, level fatal, right after the ClientHello (handshake_failure 40, protocol_version 70, insufficient_security 71, internal_error 80...), then the server's FIN or RST.",
                "Align TLS versions and cipher suites on client and server: enable TLS 1.2 in Schannel on both and check the cipher suite order policy; for an internal_error alert check that the server can read its RDP certificate's private key (permissions on C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys) and renew the certificate if it is broken. The server's System log shows Schannel events (e.g. 36874, 36888) with the reason.",
                "Consistent with mstsc showing 'An internal error has occurred' or disconnect reason 0x904 (socket closed)."
            )
        case .serverClosedAfterClientHello:
            return (
                "The server closed the connection instead of answering the TLS ClientHello: usually an unusable RDP certificate or private key (MachineKeys), or security software on the server.",
                "The client's TLS ClientHello is acknowledged, then the server sends FIN or RST with no ServerHello and no alert; the RST carries the server's TTL and IP ID (otherwise suspect an in-path device). RDP_NEG_FAILURE 0x3 SSL_CERT_NOT_ON_SERVER is the in-protocol form of the same problem.",
                "Renew the server's RDP certificate: delete the self-signed certificate from the 'Remote Desktop' certificate store of the computer and restart the Remote Desktop Services service to recreate it, or install a valid CA-issued one. Repair the permissions of C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys so that NETWORK SERVICE can read the certificate's key, exclude TermService and mstsc from host antivirus and firewall TLS inspection, and check that client and server share a TLS version and cipher suite.",
                "Consistent with mstsc showing 'An internal error has occurred' or disconnect reason 0x904 with extended error 0x7."
            )
        case .certificateExpired:
            return (
                "The server's TLS certificate had expired when the connection was made, and the connection ended on it.",
                "The server's Certificate message (in the clear up to TLS 1.2) has a notAfter date before the capture time, and the connection ends right after it (client alert certificate_expired 45, certificate_unknown 46 or bad_certificate 42, or a client close).",
                "Renew the server's RDP certificate: for a self-signed one delete it from the 'Remote Desktop' certificate store of the computer and restart the Remote Desktop Services service; for a CA-issued one re-enroll it and point RDP at the new certificate (Group Policy 'Server authentication certificate template' or the SSLCertificateSHA1Hash setting).",
                "Consistent with mstsc warning that the remote computer's certificate has expired or cannot be verified, and ending the connection when the user or policy declines it."
            )
        case .certificateNotYetValid:
            return (
                "The server's TLS certificate was not yet valid when the connection was made (a clock problem), and the connection ended on it.",
                "The server's Certificate message has a notBefore date after the capture time, and the connection ends right after it (client certificate alert or close).",
                "Correct the clock of the server, or of the CA that issued the certificate, and reissue the certificate if its dates are wrong; also check the client's clock and time zone, since the client judges the dates.",
                "Consistent with mstsc warning that the remote computer's certificate is not valid or cannot be verified."
            )
        case .nlaFailed:
            return (
                "Network Level Authentication (CredSSP) failed: the server rejected the credentials or the account, or the two sides' CredSSP versions did not agree.",
                "After the TLS handshake, a few TSRequest exchanges (CredSSP) and then a close, with no MCS Connect Initial; with a TLS key log, TSRequest.errorCode holds an NTSTATUS (e.g. 0xC000006D STATUS_LOGON_FAILURE), or an Early User Authorization Result of ACCESS_DENIED (a 4-byte plaintext record) comes before the close.",
                "Check the user name, password and account state (locked out, disabled, expired, or a password that must be changed), that the user may log on through Remote Desktop Services (member of Remote Desktop Users, not denied by policy), that the server can reach a domain controller and that the clocks agree; if both sides are healthy, align the CredSSP updates and the 'Encryption Oracle Remediation' policy on client and server (CVE-2018-0886). The server's Security log (event 4625) gives the NTSTATUS.",
                "Consistent with mstsc showing 'The logon attempt failed', 'An authentication error has occurred' or a CredSSP encryption oracle message."
            )
        case .licensingFailed:
            return (
                "Remote Desktop licensing failed: the server could not get or validate a client access license.",
                "A licensing ERROR_ALERT with a code other than STATUS_VALID_CLIENT (e.g. ERR_NO_LICENSE_SERVER, or ERR_INVALID_CLIENT with ST_TOTAL_ABORT), followed by a Set Error Info PDU 0x100-0x10A and a Disconnect Provider Ultimatum; under TLS this is inside the encryption and is inferred from a close right after the licensing exchange.",
                "Check the RD Licensing configuration of the server: the RD License Server it uses must be reachable, activated and hold CALs for the configured licensing mode (per user or per device), and the grace period may have ended (RD Licensing Diagnoser shows this). On the client, delete the cached license under HKLM\\SOFTWARE\\Microsoft\\MSLicensing and run mstsc once as administrator so that it can recreate the key.",
                "Consistent with mstsc reporting that no Remote Desktop License Servers are available or that a licensing protocol error occurred (disconnect reason 0x808 or 0x908, or an extended error 0x100-0x10A)."
            )
        case .serverDeniedConnection:
            return (
                "The server itself denied the connection (Set Error Info PDU errorInfo 0x7, ERRINFO_SERVER_DENIED_CONNECTION).",
                "A Set Error Info PDU (Share Data pduType2 0x2F) with errorInfo 0x00000007 from the server after the MCS Connect Response, then a Disconnect Provider Ultimatum and the close; inside TLS it needs a key log, or is inferred from its fixed size.",
                "Check the server's Remote Desktop settings and policies at the time of the capture: remote connections allowed, connection and session limits, 'Deny log on through Remote Desktop Services', RD Gateway or Connection Broker restrictions; the server's event logs (TerminalServices-RemoteConnectionManager, RemoteDesktopServices-RdpCoreTS) name the reason.",
                "Consistent with mstsc showing disconnect reason 0x904 with extended error 0x7 (ServerDeniedConnection)."
            )
        case .serverErrorInfo:
            return (
                "The server ended the connection with a Set Error Info PDU naming a reason other than 0x7.",
                "A Set Error Info PDU (pduType2 0x2F) from the server with the errorInfo code, then a Disconnect Provider Ultimatum and the close.",
                "Act on the errorInfo code the server sent: add the user to Remote Desktop Users for 0x9 (insufficient privileges), raise the session time limits for 0x3 or 0x4, fix licensing for 0x100-0x10A, check the Connection Broker for 0x400-0x412, and look at the server's event logs for crashes (0x10-0x18); protocol errors (0x10C9 and up) point to a client or server bug, so update both.",
                "Consistent with mstsc showing the same number as its extended error (for example 0x9 when the user is not allowed to log on remotely)."
            )
        case .serverReset:
            return (
                "The server's own TCP stack reset the connection during the handshake.",
                "A RST from the server at a named stage, judged genuine: it fits the server's TTL, IP ID and timing.",
                "Read the server's event logs (System, Schannel, TerminalServices-*) at the time of the reset, and check host security software on the server (antivirus, host firewall, endpoint protection) that may abort RDP connections; exclude TermService from its inspection. The stage of the reset tells which component to check.",
                "Consistent with mstsc showing disconnect reason 0x904 (socket closed) or 0x404 (receive failed)."
            )
        case .serverClosed:
            return (
                "The server closed the connection (FIN) during the handshake without an RDP error message.",
                "A FIN from the server at a named stage, with no RDP_NEG_FAILURE, TLS alert, licensing error or Set Error Info PDU before it.",
                "Read the server's event logs (TerminalServices-RemoteConnectionManager, RemoteDesktopServices-RdpCoreTS, Schannel, System) at the time of the close; the stage tells which component to check: the certificate and TLS settings for TLS, CredSSP and the account for NLA, licensing after MCS.",
                "Consistent with mstsc showing disconnect reason 0x904 (socket closed)."
            )
        case .certificateRejectedByClient:
            return (
                "The client did not accept the server's certificate.",
                "A TLS alert from the client (bad_certificate 42, certificate_unknown 46, unknown_ca 48, certificate_expired 45) or a client FIN/RST right after the server's Certificate message.",
                "Give the server a certificate the client trusts: one from a CA in the client's trusted store whose name matches the name the client connects to, or deploy the self-signed RDP certificate to the clients; check the client's 'Configure server authentication for client' policy and that the certificate is neither expired nor revoked.",
                "Consistent with mstsc's 'The identity of the remote computer cannot be verified' warning being declined, or a policy that refuses untrusted certificates."
            )
        case .tlsRejectedByClient:
            return (
                "The client's TLS stack refused what the server chose (TLS version or cipher suite).",
                "A TLS alert from the client on version or cipher (protocol_version 70, handshake_failure 40, insufficient_security 71, illegal_parameter 47) after the ServerHello.",
                "Align TLS versions and cipher suites on client and server: enable TLS 1.2 in Schannel on both, avoid suites one side has disabled, and update the older side; the client's System log shows the Schannel error (e.g. event 36871).",
                "Consistent with mstsc showing 'An internal error has occurred' or an internal security error (disconnect reason 0x906 or 0xA06)."
            )
        case .clientReset:
            return (
                "The client reset the connection during the handshake.",
                "A genuine RST from the client at a named stage.",
                "Check what ended the connection on the client: a user cancelling, security software (antivirus, VPN client, endpoint protection) or a client crash; the client's event log (Microsoft-Windows-TerminalServices-ClientActiveXCore) records the disconnect reason.",
                "Consistent with the user cancelling or client software ending the connection (disconnect reason 0x1 or an internal client error)."
            )
        case .clientClosed:
            return (
                "The client closed the connection (FIN) during the handshake.",
                "A FIN from the client at a named stage, with no protocol error from the server before it.",
                "Check why the client gave up at that stage: a user cancelling (e.g. at the certificate or credential prompt), a client that rejected what the server sent, or client security software; the client's event log (Microsoft-Windows-TerminalServices-ClientActiveXCore) records the disconnect reason.",
                "Consistent with the user cancelling or the client rejecting the server's answer (disconnect reason 0x1, or a client security error)."
            )
        case .incompleteCapture:
            return (
                "The capture does not show the whole connection, so its outcome cannot be judged.",
                "No SYN at the start of the connection, or no close or outcome before the capture ends.",
                "Capture again from before the client connects until the error appears, on both ends or on a gateway, and run 'rdpdiag analyze' on the new capture.",
                nil
            )
        }
    }
}

extension Cause {
    /// Description, confirmation, remedy and mstsc hint for this cause.
    public var guide: CauseGuide { CauseGuide.guide(for: self) }
}
