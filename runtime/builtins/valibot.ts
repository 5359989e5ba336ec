// Entry of the built-in module "valibot" inside plts: build.rs bundles the pinned npm package from it.
export * from "valibot";
