import Config
import Systemd

extension Daemon {
    /// SIGHUP: re-reads the config; thresholds and timings apply at once, a bad file is refused
    /// and the running config kept.
    func reload() {
        guard let path = options.configPath else { return }
        _ = ServiceManager.reloading()
        do {
            let fresh = try ConfigurationLoader.load(path: path)
            let restartNeeded = fresh.tablesNeedingRestart(comparedTo: configuration)
            controller.reconfigure(fresh.settings, at: clock.coreNow())
            configuration.settings = fresh.settings
            eventLog.log(.notice, "reloaded \(path): thresholds and timings in effect")
            if !restartNeeded.isEmpty {
                eventLog.log(.warning, "changes to \(restartNeeded.joined(separator: ", ")) take effect only after systemctl restart smallbmsd")
            }
            take(controller.evaluate(at: clock.coreNow()))
        } catch {
            eventLog.log(.error, "reload refused, the running config stays in effect: \(error)")
        }
        _ = ServiceManager.ready()
    }
}
