// Public face of the diagnostics layer: the data types and the one renderer.
export * from "./diagnostic.js";
export * from "./render.js";
