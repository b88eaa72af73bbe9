import Foundation
import Glibc

/// A fake `libgpiod.so.3` (the libgpiod 2 API, only the calls GPIOD2.swift makes), compiled at
/// test time and put first on `LD_LIBRARY_PATH` of a child process, so that the v2 backend's call
/// sequences can be checked on a machine without a GPIO chip. (The C source lives in this Swift
/// string because a `.c` file in a Swift test target makes SwiftPM refuse the target.)
///
/// The fake chip is `/dev/gpiochip0` (label `fake-gpio`, 32 lines named `GPIO0`...`GPIO31`); every
/// other path is ENOENT except `/dev/gpiochip5`, which is EACCES. It acts as the kernel would for
/// the requests it is given (line values, active-low, EBUSY for a held line, edge events on the
/// request's descriptor) and writes one line per call to the file `FAKE_GPIOD_LOG` names. Faults
/// come from the environment:
/// - `FAKE_GPIOD_BUSY=27:gpioset`: line 27 is held by another program with that consumer.
/// - `FAKE_GPIOD_NO_BIAS=1`: a request with a bias other than as-is is refused (EINVAL).
/// - `FAKE_GPIOD_STUCK=22`: line 22 reads back ACTIVE whatever was written.
/// - `FAKE_GPIOD_SET_FAIL=27`: writes to line 27 fail (EIO).
/// - `FAKE_GPIOD_LEVEL_<n>=0|1`: the physical level of input line n (default 1: pulled up).
/// `fake_gpiod_set_physical(offset, level)` moves an input, as a settled (debounced) edge would.
/// At exit it logs how many of each handle are still allocated, to catch a leak or a double free.
enum GPIOD2FakeLibrary {
    /// True when this process runs the libgpiod 2 backend (the build found libgpiod 2).
    static var isV2Linked: Bool {
        guard let handle = dlopen("libgpiod.so.3", RTLD_NOW | RTLD_NOLOAD) else { return false }
        dlclose(handle)
        return true
    }

    /// The folder holding the compiled `libgpiod.so.3`, built once per test process.
    static let folder: Result<String, HardwareTestFailure> = build()

    private static func build() -> Result<String, HardwareTestFailure> {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("smallbmsd-fake-gpiod2-\(getpid())-\(UInt32.random(in: 0 ... .max))").path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try source.write(toFile: folder + "/fake_gpiod.c", atomically: true, encoding: .utf8)
        } catch {
            return .failure(HardwareTestFailure("cannot write the fake libgpiod source: \(error)"))
        }
        var messages: [String] = []
        // The Swift toolchain brings clang; a distribution's cc will do as well.
        for compiler in ["clang", "cc", "gcc"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                compiler, "-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-Wl,-soname,libgpiod.so.3",
                "-o", folder + "/libgpiod.so.3", folder + "/fake_gpiod.c",
            ]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            do { try process.run() } catch { messages.append("\(compiler): \(error)"); continue }
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationStatus == 0 { return .success(folder) }
            messages.append("\(compiler) exited \(process.terminationStatus): \(text)")
        }
        return .failure(HardwareTestFailure("cannot compile the fake libgpiod: " + messages.joined(separator: "; ")))
    }

    static let source = #"""
        #define _GNU_SOURCE
        #include <errno.h>
        #include <fcntl.h>
        #include <stdarg.h>
        #include <stdbool.h>
        #include <stddef.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>

        /* The libgpiod 2.1 ABI values (gpiod.h). */
        enum { VALUE_ERROR = -1, VALUE_INACTIVE = 0, VALUE_ACTIVE = 1 };
        enum { DIRECTION_AS_IS = 1, DIRECTION_INPUT, DIRECTION_OUTPUT };
        enum { EDGE_NONE = 1, EDGE_RISING, EDGE_FALLING, EDGE_BOTH };
        enum { BIAS_AS_IS = 1, BIAS_UNKNOWN, BIAS_DISABLED, BIAS_PULL_UP, BIAS_PULL_DOWN };

        #define LINES 32

        struct gpiod_chip { int unused; };
        struct gpiod_chip_info { int unused; };
        struct gpiod_line_info { char consumer[64]; };
        struct gpiod_line_settings {
            int direction, edge, bias, output;
            bool active_low;
            unsigned long debounce_us;
        };
        struct gpiod_line_config {
            unsigned int offsets[LINES];
            struct gpiod_line_settings settings[LINES];
            size_t count;
        };
        struct gpiod_request_config { char consumer[64]; };
        struct gpiod_line_request {
            unsigned int offset;
            struct gpiod_line_settings settings;
            int value;      /* outputs: the logical value written */
            int fds[2];     /* the "edge event" descriptor: readable while events are queued */
        };
        struct gpiod_edge_event_buffer { size_t capacity; };

        static struct gpiod_line_request *held[LINES];
        static char held_consumer[LINES][64];
        static int physical[LINES];
        static bool physical_set[LINES];
        static long live_chips, live_chip_infos, live_line_infos, live_settings, live_line_configs,
            live_request_configs, live_requests, live_buffers;

        static void note(const char *format, ...)
        {
            const char *path = getenv("FAKE_GPIOD_LOG");
            if (!path)
                return;
            FILE *file = fopen(path, "a");
            if (!file)
                return;
            va_list args;
            va_start(args, format);
            vfprintf(file, format, args);
            va_end(args);
            fputc('\n', file);
            fclose(file);
        }

        static int env_offset(const char *name)
        {
            const char *text = getenv(name);
            return text && *text ? atoi(text) : -1;
        }

        static const char *bias_name(int bias)
        {
            switch (bias) {
            case BIAS_AS_IS: return "as-is";
            case BIAS_DISABLED: return "disabled";
            case BIAS_PULL_UP: return "pull-up";
            case BIAS_PULL_DOWN: return "pull-down";
            default: return "?";
            }
        }

        static const char *edge_name(int edge)
        {
            switch (edge) {
            case EDGE_NONE: return "none";
            case EDGE_RISING: return "rising";
            case EDGE_FALLING: return "falling";
            case EDGE_BOTH: return "both";
            default: return "?";
            }
        }

        /* The line another program holds (FAKE_GPIOD_BUSY=offset:consumer), or -1. */
        static int busy_offset(const char **consumer)
        {
            const char *text = getenv("FAKE_GPIOD_BUSY");
            if (!text || !*text)
                return -1;
            const char *colon = strchr(text, ':');
            *consumer = colon ? colon + 1 : "";
            return atoi(text);
        }

        static int physical_level(unsigned int offset)
        {
            if (!physical_set[offset]) {
                char name[32];
                snprintf(name, sizeof(name), "FAKE_GPIOD_LEVEL_%u", offset);
                const char *text = getenv(name);
                physical[offset] = text && *text ? atoi(text) != 0 : 1;
                physical_set[offset] = true;
            }
            return physical[offset];
        }

        struct gpiod_chip *gpiod_chip_open(const char *path)
        {
            note("chip_open %s", path ? path : "(null)");
            if (path && strcmp(path, "/dev/gpiochip0") == 0) {
                live_chips++;
                return calloc(1, sizeof(struct gpiod_chip));
            }
            errno = path && strcmp(path, "/dev/gpiochip5") == 0 ? EACCES : ENOENT;
            return NULL;
        }

        void gpiod_chip_close(struct gpiod_chip *chip)
        {
            if (!chip)
                return;
            note("chip_close");
            live_chips--;
            free(chip);
        }

        struct gpiod_chip_info *gpiod_chip_get_info(struct gpiod_chip *chip)
        {
            (void)chip;
            live_chip_infos++;
            return calloc(1, sizeof(struct gpiod_chip_info));
        }

        void gpiod_chip_info_free(struct gpiod_chip_info *info)
        {
            if (!info)
                return;
            live_chip_infos--;
            free(info);
        }

        const char *gpiod_chip_info_get_name(struct gpiod_chip_info *info) { (void)info; return "gpiochip0"; }
        const char *gpiod_chip_info_get_label(struct gpiod_chip_info *info) { (void)info; return "fake-gpio"; }
        size_t gpiod_chip_info_get_num_lines(struct gpiod_chip_info *info) { (void)info; return LINES; }

        int gpiod_chip_get_line_offset_from_name(struct gpiod_chip *chip, const char *name)
        {
            (void)chip;
            unsigned int offset;
            char rest;
            if (name && sscanf(name, "GPIO%u%c", &offset, &rest) == 1 && offset < LINES) {
                note("offset_from_name %s -> %u", name, offset);
                return (int)offset;
            }
            note("offset_from_name %s -> ENOENT", name ? name : "(null)");
            errno = ENOENT;
            return -1;
        }

        struct gpiod_line_info *gpiod_chip_get_line_info(struct gpiod_chip *chip, unsigned int offset)
        {
            (void)chip;
            if (offset >= LINES) {
                errno = EINVAL;
                return NULL;
            }
            note("line_info %u", offset);
            struct gpiod_line_info *info = calloc(1, sizeof(*info));
            const char *consumer = "";
            if (busy_offset(&consumer) == (int)offset)
                snprintf(info->consumer, sizeof(info->consumer), "%s", consumer);
            else if (held[offset])
                snprintf(info->consumer, sizeof(info->consumer), "%s", held_consumer[offset]);
            live_line_infos++;
            return info;
        }

        const char *gpiod_line_info_get_consumer(struct gpiod_line_info *info)
        {
            return info->consumer[0] ? info->consumer : NULL;
        }

        void gpiod_line_info_free(struct gpiod_line_info *info)
        {
            if (!info)
                return;
            live_line_infos--;
            free(info);
        }

        struct gpiod_line_settings *gpiod_line_settings_new(void)
        {
            struct gpiod_line_settings *settings = calloc(1, sizeof(*settings));
            settings->direction = DIRECTION_AS_IS;
            settings->edge = EDGE_NONE;
            settings->bias = BIAS_AS_IS;
            settings->output = VALUE_INACTIVE;
            live_settings++;
            return settings;
        }

        void gpiod_line_settings_free(struct gpiod_line_settings *settings)
        {
            if (!settings)
                return;
            live_settings--;
            free(settings);
        }

        int gpiod_line_settings_set_direction(struct gpiod_line_settings *settings, int direction)
        {
            if (direction < DIRECTION_AS_IS || direction > DIRECTION_OUTPUT) {
                errno = EINVAL;
                return -1;
            }
            settings->direction = direction;
            return 0;
        }

        int gpiod_line_settings_set_edge_detection(struct gpiod_line_settings *settings, int edge)
        {
            if (edge < EDGE_NONE || edge > EDGE_BOTH) {
                errno = EINVAL;
                return -1;
            }
            settings->edge = edge;
            return 0;
        }

        int gpiod_line_settings_set_bias(struct gpiod_line_settings *settings, int bias)
        {
            if (bias < BIAS_AS_IS || bias > BIAS_PULL_DOWN || bias == BIAS_UNKNOWN) {
                errno = EINVAL;
                return -1;
            }
            settings->bias = bias;
            return 0;
        }

        void gpiod_line_settings_set_active_low(struct gpiod_line_settings *settings, bool active_low)
        {
            settings->active_low = active_low;
        }

        void gpiod_line_settings_set_debounce_period_us(struct gpiod_line_settings *settings, unsigned long period)
        {
            settings->debounce_us = period;
        }

        int gpiod_line_settings_set_output_value(struct gpiod_line_settings *settings, int value)
        {
            if (value != VALUE_INACTIVE && value != VALUE_ACTIVE) {
                errno = EINVAL;
                return -1;
            }
            settings->output = value;
            return 0;
        }

        struct gpiod_line_config *gpiod_line_config_new(void)
        {
            live_line_configs++;
            return calloc(1, sizeof(struct gpiod_line_config));
        }

        void gpiod_line_config_free(struct gpiod_line_config *config)
        {
            if (!config)
                return;
            live_line_configs--;
            free(config);
        }

        int gpiod_line_config_add_line_settings(struct gpiod_line_config *config, const unsigned int *offsets,
                                                size_t count, struct gpiod_line_settings *settings)
        {
            if (!offsets || count == 0 || config->count + count > LINES) {
                errno = EINVAL;
                return -1;
            }
            for (size_t i = 0; i < count; i++) {
                config->offsets[config->count] = offsets[i];
                struct gpiod_line_settings defaults = { DIRECTION_AS_IS, EDGE_NONE, BIAS_AS_IS, VALUE_INACTIVE, false, 0 };
                config->settings[config->count] = settings ? *settings : defaults;
                config->count++;
            }
            return 0;
        }

        struct gpiod_request_config *gpiod_request_config_new(void)
        {
            live_request_configs++;
            return calloc(1, sizeof(struct gpiod_request_config));
        }

        void gpiod_request_config_free(struct gpiod_request_config *config)
        {
            if (!config)
                return;
            live_request_configs--;
            free(config);
        }

        void gpiod_request_config_set_consumer(struct gpiod_request_config *config, const char *consumer)
        {
            snprintf(config->consumer, sizeof(config->consumer), "%s", consumer ? consumer : "");
        }

        struct gpiod_line_request *gpiod_chip_request_lines(struct gpiod_chip *chip, struct gpiod_request_config *request_config,
                                                            struct gpiod_line_config *line_config)
        {
            (void)chip;
            if (!line_config || line_config->count != 1) {
                note("request: %zu lines (the backend requests one line at a time)", line_config ? line_config->count : 0);
                errno = EINVAL;
                return NULL;
            }
            unsigned int offset = line_config->offsets[0];
            struct gpiod_line_settings *settings = &line_config->settings[0];
            const char *consumer = request_config ? request_config->consumer : "";
            if (settings->direction == DIRECTION_OUTPUT)
                note("request %u consumer=%s output %s active_low=%d bias=%s edge=%s debounce_us=%lu", offset, consumer,
                     settings->output == VALUE_ACTIVE ? "active" : "inactive", settings->active_low,
                     bias_name(settings->bias), edge_name(settings->edge), settings->debounce_us);
            else
                note("request %u consumer=%s %s active_low=%d bias=%s edge=%s debounce_us=%lu", offset, consumer,
                     settings->direction == DIRECTION_INPUT ? "input" : "as-is", settings->active_low,
                     bias_name(settings->bias), edge_name(settings->edge), settings->debounce_us);
            if (offset >= LINES) {
                note("  -> EINVAL");
                errno = EINVAL;
                return NULL;
            }
            const char *other = "";
            if (held[offset] || busy_offset(&other) == (int)offset) {
                note("  -> EBUSY");
                errno = EBUSY;
                return NULL;
            }
            if (settings->bias != BIAS_AS_IS && getenv("FAKE_GPIOD_NO_BIAS")) {
                note("  -> EINVAL (bias)");
                errno = EINVAL;
                return NULL;
            }
            struct gpiod_line_request *request = calloc(1, sizeof(*request));
            request->offset = offset;
            request->settings = *settings;
            request->value = settings->output;
            if (pipe2(request->fds, O_CLOEXEC) != 0) {
                free(request);
                return NULL;
            }
            held[offset] = request;
            snprintf(held_consumer[offset], sizeof(held_consumer[offset]), "%s", consumer);
            physical_level(offset);
            live_requests++;
            return request;
        }

        void gpiod_line_request_release(struct gpiod_line_request *request)
        {
            if (!request)
                return;
            note("release %u", request->offset);
            held[request->offset] = NULL;
            close(request->fds[0]);
            close(request->fds[1]);
            live_requests--;
            free(request);
        }

        int gpiod_line_request_get_value(struct gpiod_line_request *request, unsigned int offset)
        {
            if (offset != request->offset) {
                errno = EINVAL;
                return VALUE_ERROR;
            }
            int value;
            if (request->settings.direction == DIRECTION_OUTPUT)
                value = (int)offset == env_offset("FAKE_GPIOD_STUCK") ? VALUE_ACTIVE : request->value;
            else
                value = physical_level(offset) ^ (request->settings.active_low ? 1 : 0);
            note("get_value %u -> %d", offset, value);
            return value;
        }

        int gpiod_line_request_set_value(struct gpiod_line_request *request, unsigned int offset, int value)
        {
            note("set_value %u %d", offset, value);
            if (offset != request->offset || request->settings.direction != DIRECTION_OUTPUT ||
                (value != VALUE_ACTIVE && value != VALUE_INACTIVE)) {
                errno = EINVAL;
                return -1;
            }
            if ((int)offset == env_offset("FAKE_GPIOD_SET_FAIL")) {
                errno = EIO;
                return -1;
            }
            request->value = value;
            return 0;
        }

        int gpiod_line_request_get_fd(struct gpiod_line_request *request)
        {
            note("get_fd %u", request->offset);
            return request->fds[0];
        }

        int gpiod_line_request_read_edge_events(struct gpiod_line_request *request, struct gpiod_edge_event_buffer *buffer,
                                                size_t max_events)
        {
            char events[64];
            if (max_events > buffer->capacity)
                max_events = buffer->capacity;
            if (max_events > sizeof(events))
                max_events = sizeof(events);
            /* Blocks when nothing is queued, as the real call does. */
            ssize_t count = read(request->fds[0], events, max_events);
            note("read_edge_events %u max=%zu -> %zd", request->offset, max_events, count);
            return count < 0 ? -1 : (int)count;
        }

        struct gpiod_edge_event_buffer *gpiod_edge_event_buffer_new(size_t capacity)
        {
            struct gpiod_edge_event_buffer *buffer = calloc(1, sizeof(*buffer));
            buffer->capacity = capacity ? capacity : 64;
            live_buffers++;
            note("edge_event_buffer_new %zu", capacity);
            return buffer;
        }

        void gpiod_edge_event_buffer_free(struct gpiod_edge_event_buffer *buffer)
        {
            if (!buffer)
                return;
            live_buffers--;
            note("edge_event_buffer_free");
            free(buffer);
        }

        const char *gpiod_api_version(void) { return "2.1.3-fake"; }

        /* Test control: input line `offset` settles at `level`; an edge event when it changed. */
        void fake_gpiod_set_physical(unsigned int offset, int level)
        {
            if (offset >= LINES)
                return;
            int old = physical_level(offset);
            physical[offset] = level != 0;
            note("physical %u %d", offset, physical[offset]);
            struct gpiod_line_request *request = held[offset];
            if (old != physical[offset] && request && request->settings.direction == DIRECTION_INPUT &&
                request->settings.edge != EDGE_NONE) {
                char event = 1;
                if (write(request->fds[1], &event, 1) != 1)
                    note("cannot queue an edge event");
            }
        }

        __attribute__((destructor)) static void report_leaks(void)
        {
            note("live chips=%ld chip_infos=%ld line_infos=%ld settings=%ld line_configs=%ld request_configs=%ld "
                 "requests=%ld buffers=%ld",
                 live_chips, live_chip_infos, live_line_infos, live_settings, live_line_configs, live_request_configs,
                 live_requests, live_buffers);
        }
        """#
}

/// A failure of the test machinery itself (not of the code under test), with what to check.
struct HardwareTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
