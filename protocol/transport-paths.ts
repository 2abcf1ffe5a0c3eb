/** Every device-facing path in one place (DESIGN §4): the satellite routes and the agent both use these. */
export const DEVICE_TRANSPORT_PATHS = {
  json: '/SmartTransport',
  callHome: '/Transportgateway/services/DeviceRequestHandler',
} as const;
