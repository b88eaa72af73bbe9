/// The settings' delays in nanoseconds, converted once: the rules compare them on every input.
struct Delays: Sendable {
    /// `confirm_s`: how long a trip condition must hold.
    var confirm: Int64
    /// `recover_s`: how long a clear condition (and health) must hold.
    var recover: Int64
    /// `comms_timeout_s` of the batteries without their own.
    var commsTimeout: Int64
    /// `prealarm_lead_s`: how long PRE-ALARM leads a LOAD cut.
    var prealarmLead: Int64
    /// Every battery's comms timeout (index 0 is battery 1) when some battery has its own;
    /// empty when all share `commsTimeout`.
    var commsTimeoutByBattery: [Int64]

    init(_ settings: Settings) {
        confirm = settings.confirmDelay.nearestNanoseconds
        recover = settings.recoverDelay.nearestNanoseconds
        commsTimeout = settings.commsTimeout.nearestNanoseconds
        prealarmLead = settings.prealarmLead.nearestNanoseconds
        commsTimeoutByBattery = settings.commsTimeoutByBattery.isEmpty ? [] : (0..<settings.batteryCount).map {
            settings.commsTimeout(ofBattery: $0 + 1).nearestNanoseconds
        }
    }
}
