/** The relay (the public P4 server, PROTOCOLS.md P4 §14): channels, hub, REST↔ws bridge, routes. */
export { type Bus, MemoryBus } from './bus.ts'
export { addMerchantKey, createMerchantKey } from './merchant-keys.ts'
export { NatsBus, type NatsBusOptions } from './nats-bus.ts'
export { Relay, type RelayOptions } from './relay.ts'
