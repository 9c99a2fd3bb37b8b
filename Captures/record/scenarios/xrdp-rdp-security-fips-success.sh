# shellcheck shell=bash
# xrdp-rdp-security-fips-success: Standard RDP Security (no TLS).  xrdp with
# security_layer=rdp, crypt_level=fips; xfreerdp /sec:rdp.  MCS/GCC, the
# security exchange and licensing travel in the clear (the payload after the
# security exchange is RC4/FIPS-encrypted by RDP itself).  No .keys file.
# Expected: ok / none / active.
scenario() {
    xrdp_config security_layer=rdp crypt_level=fips
    xrdp_start
    client_display_start
    capture_start
    client_run 4 /v:"$SERVER4" /u:rdcuser /sec:rdp /cert:ignore
    capture_stop
}
