#!/usr/bin/python3
"""Drives python-dbusmock's bluez5 template for the tests: one command a line on stdin, one
answer a line on stdout ("ok [value]" or "error <text>"). The mock itself runs apart
(python3 -m dbusmock --system -t bluez5), so the tests can kill it as bluetoothd dies.

Commands:
  wait-bluez SECONDS            until org.bluez is on the bus
  adapter NAME                  AddAdapter (InterfacesAdded)
  remove-adapter NAME           RemoveAdapter (InterfacesRemoved)
  power NAME on|off             Powered (and Discovering off, as BlueZ does), PropertiesChanged
  discovering NAME              prints true/false
  filter NAME                   prints the discovery filter the client set
  adv NAME ADDRESS HEX          ManufacturerData {0x02E1: HEX} on the device (added if new)
"""
import sys
import time

import dbus

BUS_NAME = 'org.bluez'
MOCK = 'org.freedesktop.DBus.Mock'
bus = dbus.SystemBus()
devices = set()


def mock(path):
    return dbus.Interface(bus.get_object(BUS_NAME, path), MOCK)


def bluez_mock():
    # The template's own convenience methods (AddAdapter, AddDevice) live on org.bluez.Mock at '/'.
    return dbus.Interface(bus.get_object(BUS_NAME, '/'), 'org.bluez.Mock')


def prop(path, interface, name):
    return bus.get_object(BUS_NAME, path).Get(interface, name, dbus_interface='org.freedesktop.DBus.Properties')


def run(words):
    command = words[0]
    if command == 'wait-bluez':
        end = time.monotonic() + float(words[1])
        while time.monotonic() < end:
            if bus.name_has_owner(BUS_NAME):
                devices.clear()
                return 'ok'
            time.sleep(0.05)
        return 'error org.bluez did not appear'
    if command == 'adapter':
        return 'ok ' + bluez_mock().AddAdapter(words[1], 'smallbmsd test')
    if command == 'remove-adapter':
        bluez_mock().RemoveAdapter(words[1])
        return 'ok'
    if command == 'power':
        on = words[2] == 'on'
        changes = {'Powered': dbus.Boolean(on)}
        if not on:
            changes['Discovering'] = dbus.Boolean(False)
        mock('/org/bluez/' + words[1]).UpdateProperties('org.bluez.Adapter1', changes)
        return 'ok'
    if command == 'discovering':
        return 'ok ' + ('true' if prop('/org/bluez/' + words[1], 'org.bluez.Adapter1', 'Discovering') else 'false')
    if command == 'filter':
        value = prop('/org/bluez/' + words[1], 'org.bluez.Adapter1', 'DiscoveryFilter')
        return 'ok ' + ' '.join(f'{k}={v}' for k, v in sorted(dict(value).items()))
    if command == 'adv':
        adapter, address, payload = words[1], words[2].upper(), bytes.fromhex(words[3])
        path = '/org/bluez/' + adapter + '/dev_' + address.replace(':', '_')
        if (adapter, address) not in devices:
            try:
                bluez_mock().AddDevice(adapter, address, 'Victron')
            except dbus.exceptions.DBusException as error:
                if 'already exists' not in str(error):
                    raise
            devices.add((adapter, address))
        data = dbus.Dictionary({dbus.UInt16(0x02E1): dbus.Array(payload, signature='y')}, signature='qv')
        # As bluetoothd signals each advertisement with DuplicateData (dbusmock 0.28's UpdateProperties
        # cannot wrap a dict value, so the signal is emitted directly).
        changed = dbus.Dictionary({'ManufacturerData': data}, signature='sv')
        mock(path).EmitSignal('org.freedesktop.DBus.Properties', 'PropertiesChanged', 'sa{sv}as',
                              [dbus.String('org.bluez.Device1'), changed, dbus.Array([], signature='s')])
        return 'ok'
    return 'error unknown command ' + command


for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    try:
        answer = run(words)
    except Exception as error:  # every failure is an answer: the test reads it
        answer = 'error ' + str(error).replace('\n', ' ')
    print(answer, flush=True)
