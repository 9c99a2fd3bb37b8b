// Report rendering builds here.

