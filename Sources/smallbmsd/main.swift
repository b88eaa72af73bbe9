print("smallbmsd")
