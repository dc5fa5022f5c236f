// Mock network for tests/integration/26-zwave-thermo.sh and
// 28-zwave-color.sh: a controller, a thermostat (generic class 0x08:
// Thermostat Mode off/heat/cool, Thermostat Setpoint heating 20 °C and
// cooling 24 °C) and a colour light (0x11: Multilevel Switch and
// Color Switch version 3: warm white 10, #112233), as zwave-js's
// own mock behaviours answer them. The setpoints' minValue is 22.5: the
// mock's Setpoint Set refuses any value above minValue (its range check,
// zwave-js 15, reads `value > minValue || value > maxValue`), and its
// Capabilities Report gives the range, which we hold commands to: the
// minimum itself is the one value both let through.
"use strict";
exports.default = {
	controller: { homeId: 0x7e570026, ownNodeId: 1 },
	nodes: [
		{
			id: 2,
			capabilities: {
				genericDeviceClass: 0x08,
				specificDeviceClass: 0x06,
				commandClasses: [
					{ ccId: 0x40, version: 3, supportedModes: [0, 1, 2] },
					{
						ccId: 0x43,
						version: 3,
						setpoints: {
							1: { minValue: 22.5, maxValue: 30, defaultValue: 20, scale: "°C" },
							2: { minValue: 22.5, maxValue: 30, defaultValue: 24, scale: "°C" },
						},
					},
					0x86,
				],
			},
		},
		{
			id: 3,
			capabilities: {
				genericDeviceClass: 0x11,
				specificDeviceClass: 0x01,
				commandClasses: [
					{ ccId: 0x26, version: 1, defaultValue: 0 },
					{ ccId: 0x33, version: 3, colorComponents: { 0: 10, 2: 0x11, 3: 0x22, 4: 0x33 } },
					0x86,
				],
			},
		},
	],
};
