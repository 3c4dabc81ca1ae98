-- Micro-benchmark: runs unchanged on lua5.4, the reference luau and ours (timing in ../bench_support.lua).
local function prequire(name)
  local ok, result = pcall(require, name)
  return ok and result
end
local run = prequire("bench_support") or require("../bench_support")

local Point = {}
Point.__index = Point
function Point.new(x, y)
  return setmetatable({ x = x, y = y }, Point)
end
function Point:len2()
  return self.x * self.x + self.y * self.y
end
run("method-calls", function()
  local p = Point.new(3, 4)
  local s = 0
  for i = 1, 1000000 do
    s = s + p:len2()
  end
  return s
end)
