// Per-connection diagnosis builds here.

