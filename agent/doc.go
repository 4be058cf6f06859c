// Package agent holds automated negotiators behind interfaces that people
// (through the room) and programs use alike: time-based concession
// (Boulware, Linear, Conceder), tit-for-tat, hard-headed and random
// negotiators for alternating offers, hill-climbing and annealing voters,
// and bid search near a target utility that works on additive domains far
// too large to enumerate.
package agent
