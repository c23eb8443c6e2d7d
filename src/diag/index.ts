// Public face of the diagnostics layer: the data types, the catalogue of codes and the one
// renderer.
export * from "./codes.js";
export * from "./diagnostic.js";
export * from "./render.js";
