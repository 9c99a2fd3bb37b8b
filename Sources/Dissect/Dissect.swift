import Reassembly
import Wire

// RDP and TLS dissection (issue 3) builds here.

