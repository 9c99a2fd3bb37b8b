/// Which causes (DESIGN.md cause ids) can produce each code, with what a
/// capture would show and what to do when the generic `CauseGuide` text is not
/// specific enough. The codes say what the client or server reported; the
/// causes say what to look for on the wire to tell the candidates apart.
enum CodeCauses {
    struct Advice {
        var note: String?
        var causes: [CandidateCause]
    }

    static func candidate(_ cause: Cause, confirm: String? = nil, remedy: String? = nil) -> CandidateCause {
        CandidateCause(cause: cause, confirm: confirm ?? CauseGuide.confirm(for: cause),
                       remedy: remedy ?? CauseGuide.remedy(for: cause))
    }

    static func advice(for entry: CodeEntry) -> Advice {
        switch entry.kind {
        case .disconnect: disconnect(entry.code)
        case .extended, .errorInfo: errorInfo(entry)
        case .negotiationFailure: negotiationFailure(entry)
        case .licensing: licensing(entry.code)
        case .tlsAlert: tlsAlert(entry)
        case .ntStatus: ntStatus(entry)
        }
    }

    // MARK: disconnect reasons (reference §1)

    static let dnsNote = """
        The failure happened before any RDP packet was sent: the client could not resolve the server's name. \
        A capture shows DNS queries (UDP or TCP 53) with no usable answer (NXDOMAIN, SERVFAIL or no reply) and no SYN \
        to TCP 3389. Check the name typed in the client, the client's DNS servers and the server's A/AAAA record.
        """

    static let fdCloseNote = """
        0x904 only says that the client's socket was closed underneath it (FD_CLOSE: a FIN or RST from the peer, or \
        from a device claiming to be the peer). It does not say who closed it or why; the extended error, if any, and \
        a capture tell the candidates apart.
        """

    static let serverSecurityDataRemedy = """
        The client could not use the security data or certificate the server sent. Set the server's security layer to \
        Negotiate or SSL (TLS) so that Standard RDP Security is not used, or have the server regenerate its Standard \
        RDP Security keys: delete the Certificate, X509 Certificate and X509 Certificate ID values under \
        HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters and restart the server, and check the \
        permissions of C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys.
        """

    static func disconnect(_ code: UInt32) -> Advice {
        switch code {
        case 0x001:
            return Advice(note: "Not an error: the user or the client application ended the connection.",
                          causes: [candidate(.clientClosed)])
        case 0x002:
            return Advice(note: "The session was ended from inside it (the remote user logged off or disconnected); usually not a failure.",
                          causes: [candidate(.serverErrorInfo, confirm: "A Set Error Info PDU with errorInfo 0xB or 0xC (by user) before the close.")])
        case 0x003:
            return Advice(note: "The server ended the connection; the extended error says why.",
                          causes: [candidate(.serverErrorInfo), candidate(.serverDeniedConnection), candidate(.serverClosed)])
        case 0x104, 0x208, 0x604:
            return Advice(note: dnsNote, causes: [])
        case 0x308, 0x804:
            return Advice(note: "The client rejected the address before connecting: check the address or name entered in the client. No RDP packet is sent.",
                          causes: [])
        case 0x108:
            return Advice(note: nil, causes: [candidate(.noAnswer), candidate(.stalled), candidate(.pathMTUBlackhole)])
        case 0x204:
            return Advice(note: nil, causes: [
                candidate(.noAnswer), candidate(.icmpUnreachable), candidate(.portClosed),
                candidate(.forgedReset, confirm: "A RST in answer to the SYN whose TTL or IP ID does not fit the server's other packets: a firewall rejecting the connection in the server's name."),
            ])
        case 0x304, 0x404:
            return Advice(note: "The socket failed while sending or receiving: the connection was reset or broke.",
                          causes: [candidate(.serverReset), candidate(.forgedReset), candidate(.pathMTUBlackhole), candidate(.stalled)])
        case 0x406, 0x606, 0x706:
            return Advice(note: "A Standard RDP Security problem: the server's security data (SC_SECURITY) or its proprietary certificate could not be used by the client.",
                          causes: [
                            candidate(.clientClosed,
                                      confirm: "Under Standard RDP Security (no TLS): the client closes right after the server's MCS Connect Response, whose SC_SECURITY block carries the server random and certificate.",
                                      remedy: serverSecurityDataRemedy),
                          ])
        case 0x408:
            return Advice(note: "An internal error of the client; a capture shows where it gave up.", causes: [candidate(.clientClosed), candidate(.clientReset)])
        case 0x506:
            return Advice(note: nil, causes: [
                candidate(.clientClosed,
                          confirm: "Under Standard RDP Security: the client closes after the MCS Connect Response whose SC_SECURITY encryptionMethod/encryptionLevel it does not accept (e.g. FIPS).",
                          remedy: "Align the encryption settings: the server's 'Set client connection encryption level' policy and the 'System cryptography: Use FIPS compliant algorithms' policy must be ones the client supports; better, set the server's security layer to Negotiate or SSL so that TLS is used."),
            ])
        case 0x808:
            return Advice(note: nil, causes: [candidate(.licensingFailed)])
        case 0x904:
            return Advice(note: fdCloseNote, causes: [
                candidate(.serverClosedAfterClientHello), candidate(.forgedReset), candidate(.tlsRejectedByServer),
                candidate(.serverDeniedConnection), candidate(.licensingFailed), candidate(.nlaFailed),
                candidate(.serverReset), candidate(.serverClosed),
            ])
        case 0x906, 0xA06:
            return Advice(note: "A security error inside the client, typically in its TLS or CredSSP handling.",
                          causes: [candidate(.tlsRejectedByClient), candidate(.certificateRejectedByClient), candidate(.nlaFailed), candidate(.clientClosed)])
        case 0x908:
            return Advice(note: nil, causes: [
                candidate(.licensingFailed),
                candidate(.stalled, confirm: "The connection stops during the licensing exchange (after MCS and the Client Info PDU) with retransmissions and no close."),
            ])
        case 0xB06, 0xC06:
            return Advice(note: "The client could not encrypt or decrypt RDP data: with Standard RDP Security a key or encryption mismatch, or a device in the path altering the traffic.",
                          causes: [candidate(.clientClosed, remedy: "Set the server's security layer to Negotiate or SSL so that TLS protects the connection, update client and server, and check for a device in the path that alters the traffic (WAN optimiser, TLS inspection); exempt RDP from it.")])
        case 0xC08:
            return Advice(note: nil, causes: [candidate(.clientClosed, remedy: "Update the client; if the problem persists, disable bulk compression on the client (RDP file 'compression:i:0') or on the server.")])
        default:
            return Advice(note: nil, causes: [])
        }
    }

    // MARK: extended reasons and errorInfo (reference §1)

    static let notDeliveredInBand = """
        The server can only send this code in a Set Error Info PDU after MCS channel connection (inside TLS when TLS or \
        NLA is used). If the capture shows the TCP session dying before the MCS Connect Response, the code was not \
        delivered in-band by the server, and the cause is elsewhere: the network or an in-path device, or a problem on \
        the server host (certificate or MachineKeys, licensing, antivirus).
        """

    static func errorInfo(_ entry: CodeEntry) -> Advice {
        let code = entry.code
        let errInfo = "A Set Error Info PDU (pduType2 0x2F) from the server with errorInfo \(CodeCatalog.format(code, kind: .errorInfo)), then a Disconnect Provider Ultimatum and the close."
        func info(_ remedy: String) -> CandidateCause { candidate(.serverErrorInfo, confirm: errInfo, remedy: remedy) }
        func license(_ remedy: String? = nil) -> CandidateCause {
            candidate(.licensingFailed,
                      confirm: "A licensing ERROR_ALERT from the server (other than STATUS_VALID_CLIENT) and a Set Error Info PDU with errorInfo \(CodeCatalog.format(code, kind: .errorInfo)), then the close; under TLS inferred from a close right after the licensing exchange.",
                      remedy: remedy)
        }
        switch code {
        case 0:
            return Advice(note: "No extended information: the disconnect reason is all there is.", causes: [])
        case 1, 2:
            return Advice(note: "An administrator ended the session with a tool on the server (Task Manager, logoff, tsdiscon, RD Session Host management); not a connection failure.",
                          causes: [info("Ask the server's administrators who ended the session; nothing is broken.")])
        case 3, 4:
            return Advice(note: nil, causes: [info("Raise or remove the session time limits on the server (Group Policy 'Session Time Limits': idle and active session limits) if they are too short.")])
        case 5:
            return Advice(note: "Normal when the same user connects to the session from another client.",
                          causes: [info("If unexpected, check who else connects with the same account; allow several sessions per user ('Restrict Remote Desktop Services users to a single Remote Desktop Services session') if that is wanted.")])
        case 6:
            return Advice(note: nil, causes: [info("The server ran out of memory: check its memory use and the event log, and add memory or reduce the load.")])
        case 7:
            return Advice(note: notDeliveredInBand, causes: [
                candidate(.serverDeniedConnection),
                candidate(.forgedReset, confirm: "The connection dies before the MCS Connect Response (often right after the TLS ClientHello) with a RST whose TTL, IP ID or timing does not fit the server, and no Set Error Info PDU."),
                candidate(.serverClosedAfterClientHello),
                candidate(.tlsRejectedByServer),
                candidate(.licensingFailed, confirm: "The server closes right after the licensing exchange (licensing ERROR_ALERT when visible) rather than sending errorInfo 0x7."),
            ])
        case 8:
            return Advice(note: nil, causes: [
                candidate(.serverDeniedConnection,
                          confirm: "The server denies the connection after the MCS Connect (Set Error Info PDU) or closes it; the server's SC_SECURITY or policy requires FIPS.",
                          remedy: "Align the FIPS policy: the server's 'System cryptography: Use FIPS compliant algorithms' setting requires FIPS-compliant encryption the client does not offer; use the TLS security layer with FIPS-approved cipher suites on both sides, or relax the policy on the server."),
            ])
        case 9:
            return Advice(note: nil, causes: [info("Add the user (or a group the user belongs to) to the server's Remote Desktop Users group, and check that the user has 'Allow log on through Remote Desktop Services' and is not listed in 'Deny log on through Remote Desktop Services'.")])
        case 10:
            return Advice(note: nil, causes: [info("The server's policy 'Always prompt for password upon connection' refuses saved or delegated credentials: type the password at the server's prompt, or relax the policy.")])
        case 11, 12:
            return Advice(note: "The user ended the session; not a connection failure.", causes: [info("Nothing to fix: the user disconnected or logged off.")])
        case 0x0F...0x18:
            return Advice(note: "A component of the server host failed.",
                          causes: [info("Read the server's System and Application event logs at that time for the crashing component (display driver, DWM, Winlogon, CSRSS), update its display drivers and apply the current updates.")])
        case 0x19, 0x1A:
            return Advice(note: "The server was shutting down or rebooting.", causes: [info("Wait for the server to come back, or check why it was restarted.")])
        case 0x100:
            return Advice(note: nil, causes: [license("Restart the Remote Desktop Services service on the server, check its event log for licensing errors, and run RD Licensing Diagnoser.")])
        case 0x101:
            return Advice(note: nil, causes: [license("Configure an RD License Server for the server (RD Licensing Diagnoser, Group Policy 'Use the specified Remote Desktop license servers'), make sure it is reachable and activated; the grace period without a license server may have ended.")])
        case 0x102:
            return Advice(note: nil, causes: [license("Install client access licenses of the configured mode (per user or per device) on the RD License Server, or correct the licensing mode of the server.")])
        case 0x103, 0x108:
            return Advice(note: nil, causes: [license("Delete the client's cached license (HKLM\\SOFTWARE\\Microsoft\\MSLicensing), run mstsc once as administrator so it can recreate the key, and update the client.")])
        case 0x104, 0x105:
            return Advice(note: "The client's stored license is the problem (client license cache).",
                          causes: [license("Delete the client's cached license (HKLM\\SOFTWARE\\Microsoft\\MSLicensing) and run mstsc once as administrator so that it can recreate the key and obtain a new license.")])
        case 0x106:
            return Advice(note: "A network problem interrupted the licensing exchange.", causes: [
                license("Check the path between client and server for loss or devices dropping the connection during the licensing phase, and the server's connection to its RD License Server."),
                candidate(.stalled), candidate(.forgedReset),
            ])
        case 0x107:
            return Advice(note: nil, causes: [candidate(.clientClosed, confirm: "The client closes during the licensing exchange."), license()])
        case 0x109:
            return Advice(note: nil, causes: [license("The client's license could not be upgraded or renewed: check that the RD License Server has licenses for the newer version, and delete the client's cached license (HKLM\\SOFTWARE\\Microsoft\\MSLicensing).")])
        case 0x10A:
            return Advice(note: nil, causes: [license("The server is not licensed to accept remote connections: configure its Remote Desktop licensing mode and RD License Server (the grace period has probably ended), or remove the RD Session Host role if only administrative access is needed.")])
        case 267 where entry.kind == .extended:
            return Advice(note: "A client-side licensing problem: the client could not create its license store.",
                          causes: [candidate(.licensingFailed,
                                             confirm: "The client closes during licensing without presenting a license.",
                                             remedy: "Run mstsc once as administrator so that it can create HKLM\\SOFTWARE\\Microsoft\\MSLicensing, or give users write access to that key.")])
        case 768 where entry.kind == .extended:
            return Advice(note: nil, causes: [candidate(.nlaFailed)])
        case 0x400...0x412:
            return Advice(note: "A Connection Broker (RD Connection Broker, VDI) error.",
                          causes: [info("Check the RD Connection Broker and the target collection or virtual machine: it must exist, be running and be registered in DNS; the broker's event log names the failure.")])
        case 0x1191...0x1195:
            return Advice(note: "A Standard RDP Security encryption failure.",
                          causes: [info("Set the server's security layer to Negotiate or SSL so that TLS is used instead of Standard RDP Security encryption, and update client and server.")])
        default:
            return Advice(note: "An RDP protocol error: one side sent something the server could not accept.",
                          causes: [info("Update client and server (a version mismatch or a client bug is the usual reason), and check for a device in the path that alters RDP traffic.")])
        }
    }

    // MARK: RDP_NEG_FAILURE (reference §2)

    static func negotiationFailure(_ entry: CodeEntry) -> Advice {
        let confirm = "The server's X.224 Connection Confirm carries RDP_NEG_FAILURE failureCode \(entry.formattedCode) (\(entry.name)), then the server closes the TCP connection."
        let remedy: String
        switch entry.code {
        case 0x1:
            remedy = "The server requires TLS or NLA but the client offered only Standard RDP Security (or only NLA to a TLS-only server): let the client offer TLS and NLA (mstsc does by default; FreeRDP /sec:tls or /sec:nla), or set the server's 'Require use of specific security layer for remote (RDP) connections' policy to Negotiate."
        case 0x2:
            remedy = "The server is set to the RDP security layer only: set its 'Require use of specific security layer for remote (RDP) connections' policy to Negotiate or SSL (TLS), or let the client use Standard RDP Security (FreeRDP /sec:rdp)."
        case 0x3:
            remedy = "The server has no usable TLS certificate: renew the RDP certificate (delete the self-signed one from the 'Remote Desktop' certificate store and restart the Remote Desktop Services service, or install a valid one), and repair the permissions of C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys so that the service can read its private key."
        case 0x4:
            remedy = "The client's requested protocols conflict with a security protocol already in effect: update the client or change its security settings; this is a client configuration or implementation problem."
        case 0x5:
            remedy = "The server requires Network Level Authentication: let the client offer NLA (CredSSP; mstsc does unless disabled, FreeRDP /sec:nla), or clear 'Require user authentication for remote connections by using Network Level Authentication' on the server."
        case 0x6:
            remedy = "The server requires TLS with client-certificate authentication: give the client a certificate (smart card or user certificate) the server accepts, or change the server's authentication requirement."
        default:
            remedy = CauseGuide.remedy(for: .negotiationFailure)
        }
        return Advice(note: "The server refuses the connection right at the start, in the X.224 Connection Confirm.",
                      causes: [candidate(.negotiationFailure, confirm: confirm, remedy: remedy)])
    }

    // MARK: licensing (reference §5)

    static func licensing(_ code: UInt32) -> Advice {
        let name = CodeCatalog.lookup(.licensing, code)?.name ?? "code \(code)"
        let confirm = "A licensing ERROR_ALERT with dwErrorCode \(name) (0x\(CodeCatalog.hex(code, width: 2))), usually with dwStateTransition ST_TOTAL_ABORT, then Set Error Info 0x100-0x10A and the close; visible in the clear under Standard RDP Security, otherwise only with a TLS key log."
        let cache = "Delete the client's cached license (HKLM\\SOFTWARE\\Microsoft\\MSLicensing) and run mstsc once as administrator so it can recreate the key; if the error persists, check the server's RD Licensing configuration (RD Licensing Diagnoser)."
        switch code {
        case 0x07:
            return Advice(note: """
                Not an error: STATUS_VALID_CLIENT is the server's normal "no license exchange needed" message that ends \
                licensing (with ST_NO_TRANSITION). It is not mstsc's extended error 0x7 (ServerDeniedConnection). In a \
                capture it means licensing succeeded and any failure happened later.
                """, causes: [])
        case 0x02:
            return Advice(note: "Sent by the client when it has no license to present; normally the exchange continues with a new license request, so it is only a failure if an abort follows.",
                          causes: [candidate(.licensingFailed, confirm: confirm)])
        case 0x06:
            return Advice(note: nil, causes: [candidate(.licensingFailed, confirm: confirm, remedy: "Configure an RD License Server for the server and make sure it is reachable from it and activated (RD Licensing Diagnoser, Group Policy 'Use the specified Remote Desktop license servers'); the licensing grace period has probably ended.")])
        case 0x01, 0x03, 0x08:
            return Advice(note: nil, causes: [candidate(.licensingFailed, confirm: confirm, remedy: cache)])
        default:
            return Advice(note: nil, causes: [candidate(.licensingFailed, confirm: confirm)])
        }
    }

    // MARK: TLS alerts (reference §6)

    static func tlsAlert(_ entry: CodeEntry) -> Advice {
        let alert = "\(entry.name) (\(entry.code))"
        let direction = "The alert's direction tells the side: from the server it rejects the client's offer, from the client it rejects the server's. In TLS 1.3 alerts after the ServerHello are encrypted (record type 23), so only the close is visible."
        let fromServer = "A TLS Alert record (content type 21) \(alert) from the server, then its FIN or RST."
        let fromClient = "A TLS Alert record (content type 21) \(alert) from the client, then its FIN or RST."
        let middlebox = "Check for a device in the path that alters TLS (TLS inspection, WAN optimiser, broken NIC offload) and exempt RDP from it; otherwise update the side that sent the alert."
        switch entry.code {
        case 0:
            return Advice(note: "Not an error: close_notify is an orderly TLS close.", causes: [])
        case 42, 43, 44, 46, 48:
            return Advice(note: direction, causes: [
                candidate(.certificateRejectedByClient, confirm: fromClient + " right after the server's Certificate message."),
                candidate(.tlsRejectedByServer, confirm: fromServer + " The server rejects a client certificate (certificate authentication)."),
            ])
        case 45:
            return Advice(note: direction, causes: [
                candidate(.certificateExpired, confirm: fromClient + " The server certificate's notAfter is before the capture time."),
                candidate(.certificateRejectedByClient, confirm: fromClient),
            ])
        case 10, 20, 21, 22, 50:
            return Advice(note: direction, causes: [
                candidate(.tlsRejectedByServer, confirm: fromServer, remedy: middlebox),
                candidate(.tlsRejectedByClient, confirm: fromClient, remedy: middlebox),
            ])
        case 51:
            return Advice(note: direction, causes: [
                candidate(.tlsRejectedByClient, confirm: fromClient + " The server's signature did not verify.",
                          remedy: "The server's certificate and private key probably no longer match: renew the RDP certificate and repair the permissions of C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys; also check for a device altering TLS in the path."),
                candidate(.tlsRejectedByServer, confirm: fromServer, remedy: middlebox),
            ])
        case 49, 112, 116, 120:
            return Advice(note: nil, causes: [candidate(.tlsRejectedByServer, confirm: fromServer)])
        case 80:
            return Advice(note: direction, causes: [
                candidate(.tlsRejectedByServer, confirm: fromServer + " Typical when Schannel cannot read the RDP certificate's private key."),
                candidate(.tlsRejectedByClient, confirm: fromClient),
            ])
        case 90:
            return Advice(note: "The handshake was cancelled by the user or the application.",
                          causes: [candidate(.clientClosed, confirm: fromClient)])
        default:
            return Advice(note: direction, causes: [
                candidate(.tlsRejectedByServer, confirm: fromServer),
                candidate(.tlsRejectedByClient, confirm: fromClient),
            ])
        }
    }

    // MARK: NTSTATUS in CredSSP (reference §7)

    static func ntStatus(_ entry: CodeEntry) -> Advice {
        let confirm = "After the TLS handshake, CredSSP TSRequest exchanges end with the server's TSRequest.errorCode \(entry.formattedCode) (\(entry.name); needs a TLS key log), then the close before any MCS Connect Initial; the server's Security log (event 4625) shows the same status."
        let remedy: String
        switch entry.code {
        case 0x0000_0000, 0xC000_0016:
            return Advice(note: "Not an error: part of a normal authentication exchange.", causes: [])
        case 0xC000_006D, 0xC000_0064, 0xC000_006A, 0x8009_030C, 0x8009_030D:
            remedy = "Check the user name (DOMAIN\\user or user@domain) and the password, and that the account exists on the server or in its domain."
        case 0xC000_006E:
            remedy = "An account restriction blocks the logon: a blank password is not accepted over the network ('Accounts: Limit local account use of blank passwords to console logon only'), or logon hours or workstation restrictions apply; give the account a password or lift the restriction."
        case 0xC000_006F:
            remedy = "The account's logon hours do not allow logging on now: change the logon hours in Active Directory."
        case 0xC000_0070:
            remedy = "The account may only log on from certain computers ('Log On To' in Active Directory): add the server to the list."
        case 0xC000_0071, 0xC000_0224:
            remedy = "The password has expired or must be changed, and NLA cannot change it: change it elsewhere (Ctrl+Alt+Del on another computer, or the RD Web password page), or temporarily allow connections without NLA so the user can change it at the logon screen."
        case 0xC000_0072, 0xC000_0193:
            remedy = "The account is disabled or expired: enable it or extend its expiry date in Active Directory (or Local Users and Groups)."
        case 0xC000_0234:
            remedy = "The account is locked out: unlock it, and find the source of the bad password attempts (often a saved old password in a client or a service)."
        case 0xC000_015B:
            remedy = "Add the user to the server's Remote Desktop Users group, grant 'Allow log on through Remote Desktop Services' and check that the user is not in 'Deny log on through Remote Desktop Services'."
        case 0xC000_005E, 0x8009_0311:
            remedy = "The server could not reach a domain controller: check its network, DNS and secure channel to the domain (nltest /sc_verify:DOMAIN)."
        case 0xC000_0133, 0x8009_0324:
            remedy = "Synchronise the clocks of client, server and domain controllers (w32time); Kerberos allows 5 minutes of skew."
        case 0xC000_0022, 0xC000_0413:
            remedy = "The account may not authenticate to this server: with a selective-authentication trust grant 'Allowed to authenticate' on the server's computer object, and check the server's logon rights."
        case 0x8009_0322, 0x8009_0303:
            remedy = "The server's name does not match its Kerberos principal: connect with the name registered for the server, fix its DNS record, and look for duplicate SPNs (setspn -X)."
        case 0x8009_0346, 0x8009_030F, 0xC000_0388:
            remedy = "The CredSSP channel binding or integrity check failed: a device in the path that re-encrypts TLS (TLS inspection) breaks NLA, so exempt RDP from it; also align the CredSSP updates on client and server."
        default:
            remedy = CauseGuide.remedy(for: .nlaFailed)
        }
        return Advice(note: "Reported by the server during Network Level Authentication (CredSSP), before the RDP session starts.",
                      causes: [candidate(.nlaFailed, confirm: confirm, remedy: remedy)])
    }
}
