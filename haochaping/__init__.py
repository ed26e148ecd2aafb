"""haochaping: the government-service good/bad review platform (政务服务好差评)."""
