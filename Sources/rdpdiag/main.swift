print("rdpdiag")
