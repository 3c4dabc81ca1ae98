-- Micro-benchmark: runs on lua5.4, the reference luau and ours. Prints |><|name|><|ms|>...||_|| as bench_support does.
local function run(name, f)
  local times = {}
  for i = 1, 12 do
    local t0 = os.clock()
    f()
    times[#times + 1] = (os.clock() - t0) * 1000
  end
  print("|><|" .. name .. "|><|" .. table.concat(times, "|><|") .. "||_||")
end

local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({ x = x, y = y }, Point) end
function Point:len2() return self.x * self.x + self.y * self.y end
run("method-calls", function()
  local p = Point.new(3, 4)
  local s = 0
  for i = 1, 1000000 do s = s + p:len2() end
  return s
end)
