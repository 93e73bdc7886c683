<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CheckpointDocument</name>
    <message>
        <source>Freeze the first %1 parameters</source>
        <translation>冻结前 %1 个参数</translation>
    </message>
    <message>
        <source>Freeze indices %1</source>
        <translation>按索引冻结 %1</translation>
    </message>
    <message>
        <source>Freeze matching &apos;%1&apos;</source>
        <translation>冻结匹配“%1”的参数</translation>
    </message>
    <message>
        <source>Unfreeze matching &apos;%1&apos;</source>
        <translation>解冻匹配“%1”的参数</translation>
    </message>
    <message>
        <source>Invert the freeze state</source>
        <translation>反转冻结状态</translation>
    </message>
    <message>
        <source>Unfreeze all</source>
        <translation>全部解冻</translation>
    </message>
    <message>
        <source>Import %1</source>
        <translation>导入 %1</translation>
    </message>
</context>
<context>
    <name>CheckpointInfoPanel</name>
    <message>
        <source>No model state found: all tensors are shown under their container path.</source>
        <translation>未找到模型状态：所有张量都显示在其容器路径下。</translation>
    </message>
    <message>
        <source>The model state is the top level of the file.</source>
        <translation>模型状态是文件的顶层。</translation>
    </message>
    <message>
        <source>The model state is &lt;b&gt;%1&lt;/b&gt;.</source>
        <translation>模型状态是 &lt;b&gt;%1&lt;/b&gt;。</translation>
    </message>
    <message>
        <source>Freeze state: %1</source>
        <translation>冻结状态：%1</translation>
    </message>
    <message>
        <source>Save Freeze List (Ctrl+S) writes &lt;b&gt;%1&lt;/b&gt;, where opening this checkpoint looks for it.</source>
        <translation>保存冻结列表（Ctrl+S）写入 &lt;b&gt;%1&lt;/b&gt;，再次打开此检查点时会读取它。</translation>
    </message>
    <message>
        <source>This format does not store the model&apos;s parameter order: the tree sorts by name, and Freeze First N and Freeze Indices count in the file&apos;s order.</source>
        <translation>此格式不保存模型的参数顺序：树按名称排序，“冻结前 N 个”和“按索引冻结”按文件中的顺序计数。</translation>
    </message>
</context>
<context>
    <name>CheckpointLoader</name>
    <message>
        <source>applied %1: %2 of %3 parameters frozen</source>
        <translation>已应用 %1：%3 个参数中冻结了 %2 个</translation>
    </message>
    <message>
        <source>, %1 names in it match no parameter (first: %2)</source>
        <translation>，其中有 %1 个名称不匹配任何参数（第一个：%2）</translation>
    </message>
    <message>
        <source>%1: out of memory while reading</source>
        <translation>%1：读取时内存不足</translation>
    </message>
    <message>
        <source>the checkpoint stores requires_grad=False for 1 parameter</source>
        <translation>检查点为 1 个参数保存了 requires_grad=False</translation>
    </message>
    <message>
        <source>the checkpoint stores requires_grad=False for %1 parameters</source>
        <translation>检查点为 %1 个参数保存了 requires_grad=False</translation>
    </message>
</context>
<context>
    <name>DiffChartWidget</name>
    <message>
        <source>&lt;b&gt;Relative change&lt;/b&gt; per</source>
        <translation>&lt;b&gt;相对变化&lt;/b&gt;，按</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Top-level module</source>
        <translation>顶层模块</translation>
    </message>
    <message>
        <source>Module, 2 levels</source>
        <translation>模块（2 级）</translation>
    </message>
    <message>
        <source>Module, 3 levels</source>
        <translation>模块（3 级）</translation>
    </message>
    <message>
        <source>A layer is the module that owns a tensor (its name without the last part)</source>
        <translation>层是张量所属的模块（名称去掉最后一段）</translation>
    </message>
    <message>
        <source>Relative L2 change ‖a − b‖ / ‖a‖ of each module: the mean over its tensors, weighted by their number of elements (identical tensors count as 0)</source>
        <translation>每个模块的相对 L2 变化 ‖a − b‖ / ‖a‖：按元素数加权的张量平均值（相同的张量计为 0）</translation>
    </message>
    <message>
        <source>No pair was compared: there is no change to chart.</source>
        <translation>没有比较任何张量对：没有可绘制的变化。</translation>
    </message>
    <message>
        <source>Showing the first %1 of %2; choose a coarser grouping to see them all.</source>
        <translation>显示 %2 个中的前 %1 个；选择更粗的分组可查看全部。</translation>
    </message>
    <message>
        <source>One module has neither bar nor value: it is identical in A and B.</source>
        <translation>有 1 个模块没有柱形也没有数值：它在 A 和 B 中完全相同。</translation>
    </message>
    <message>
        <source>%1 modules have neither bar nor value: they are identical in A and B (frozen?).</source>
        <translation>有 %1 个模块没有柱形也没有数值：它们在 A 和 B 中完全相同（已冻结？）。</translation>
    </message>
    <message>
        <source>relative change</source>
        <translation>相对变化</translation>
    </message>
    <message>
        <source>‖a − b‖ / ‖a‖</source>
        <translation>‖a − b‖ / ‖a‖</translation>
    </message>
    <message>
        <source>%1
relative change %2 over %3 parameters (%4 tensors)
Click to select its rows</source>
        <translation>%1
相对变化 %2，共 %3 个参数（%4 个张量）
点击以选中对应的行</translation>
    </message>
</context>
<context>
    <name>DiffPairWidget</name>
    <message>
        <source>absent</source>
        <translation>不存在</translation>
    </message>
    <message>
        <source>no finite values</source>
        <translation>没有有限值</translation>
    </message>
    <message>
        <source>%1 pairs: %2</source>
        <translation>%1 个张量对：%2</translation>
    </message>
    <message>
        <source>Parameter-weighted relative change %1 over %2 compared parameters; largest |a − b| %3.</source>
        <translation>按参数加权的相对变化为 %1（比较了 %2 个参数）；最大 |a − b| 为 %3。</translation>
    </message>
    <message>
        <source>No values compared in this group.</source>
        <translation>此分组中没有比较任何数值。</translation>
    </message>
    <message>
        <source>Select a pair to compare its values.</source>
        <translation>选择一个张量对以比较其数值。</translation>
    </message>
    <message>
        <source>A: %1
B: %2</source>
        <translation>A：%1
B：%2</translation>
    </message>
    <message>
        <source>&lt;table cellspacing=&quot;0&quot; cellpadding=&quot;1&quot;&gt;&lt;tr&gt;&lt;td&gt;Relative change&amp;nbsp;&lt;/td&gt;&lt;td&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;td&gt;&amp;nbsp;&amp;nbsp;Cosine&amp;nbsp;&lt;/td&gt;&lt;td&gt;%2&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Max |a − b|&amp;nbsp;&lt;/td&gt;&lt;td&gt;%3&lt;/td&gt;&lt;td&gt;&amp;nbsp;&amp;nbsp;Mean |a − b|&amp;nbsp;&lt;/td&gt;&lt;td&gt;%4&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td colspan=&quot;4&quot;&gt;%5 of the elements differ by more than %6&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;table cellspacing=&quot;0&quot; cellpadding=&quot;1&quot;&gt;&lt;tr&gt;&lt;td&gt;相对变化&amp;nbsp;&lt;/td&gt;&lt;td&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;td&gt;&amp;nbsp;&amp;nbsp;余弦相似度&amp;nbsp;&lt;/td&gt;&lt;td&gt;%2&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;最大 |a − b|&amp;nbsp;&lt;/td&gt;&lt;td&gt;%3&lt;/td&gt;&lt;td&gt;&amp;nbsp;&amp;nbsp;平均 |a − b|&amp;nbsp;&lt;/td&gt;&lt;td&gt;%4&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td colspan=&quot;4&quot;&gt;%5 的元素相差超过 %6&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <source>Identical bytes: a − b is zero everywhere.</source>
        <translation>字节完全相同：a − b 处处为零。</translation>
    </message>
    <message>
        <source>The shapes differ, so values are not compared element by element.</source>
        <translation>形状不同，因此不逐元素比较数值。</translation>
    </message>
    <message>
        <source>Values not compared: %1</source>
        <translation>未比较数值：%1</translation>
    </message>
    <message>
        <source>computing histograms…</source>
        <translation>正在计算直方图…</translation>
    </message>
    <message>
        <source>Histograms not available: %1</source>
        <translation>直方图不可用：%1</translation>
    </message>
    <message>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>Values of A and B</source>
        <translation>A 和 B 的数值</translation>
    </message>
    <message>
        <source>a − b</source>
        <translation>a − b</translation>
    </message>
    <message>
        <source>Differences a − b</source>
        <translation>差值 a − b</translation>
    </message>
    <message>
        <source>%1 %2, %3 elements</source>
        <translation>%1 %2，%3 个元素</translation>
    </message>
</context>
<context>
    <name>DiffRunner</name>
    <message>
        <source>out of memory while comparing %1 and %2</source>
        <translation>比较 %1 与 %2 时内存不足</translation>
    </message>
</context>
<context>
    <name>DiffStatus</name>
    <message>
        <source>Only in A</source>
        <translation>仅在 A 中</translation>
    </message>
    <message>
        <source>Only in B</source>
        <translation>仅在 B 中</translation>
    </message>
    <message>
        <source>Shape changed</source>
        <translation>形状已变</translation>
    </message>
    <message>
        <source>Dtype changed</source>
        <translation>数据类型已变</translation>
    </message>
    <message>
        <source>Identical</source>
        <translation>相同</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>已变化</translation>
    </message>
    <message>
        <source>The name exists in A only (removed in B).</source>
        <translation>该名称只存在于 A 中（在 B 中已删除）。</translation>
    </message>
    <message>
        <source>The name exists in B only (added in B).</source>
        <translation>该名称只存在于 B 中（在 B 中新增）。</translation>
    </message>
    <message>
        <source>Both have the name, with different shapes: values are not compared.</source>
        <translation>两边都有该名称，但形状不同：不比较数值。</translation>
    </message>
    <message>
        <source>Different dtypes: values are compared after rounding both to float32.</source>
        <translation>数据类型不同：两者都舍入为 float32 后再比较数值。</translation>
    </message>
    <message>
        <source>Same shape, dtype and bytes.</source>
        <translation>形状、数据类型和字节都相同。</translation>
    </message>
    <message>
        <source>Same shape and dtype, different values.</source>
        <translation>形状和数据类型相同，数值不同。</translation>
    </message>
</context>
<context>
    <name>DiffTreeModel</name>
    <message>
        <source>only in A</source>
        <translation>仅在 A 中</translation>
    </message>
    <message>
        <source>only in B</source>
        <translation>仅在 B 中</translation>
    </message>
    <message>
        <source>shape changed</source>
        <translation>形状已变</translation>
    </message>
    <message>
        <source>dtype changed</source>
        <translation>数据类型已变</translation>
    </message>
    <message>
        <source>identical</source>
        <translation>相同</translation>
    </message>
    <message>
        <source>changed</source>
        <translation>已变化</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>%1 differ of %2</source>
        <translation>%2 个中有 %1 个不同</translation>
    </message>
    <message>
        <source>%1 differ</source>
        <translation>%1 个不同</translation>
    </message>
    <message>
        <source>Values not compared: %1</source>
        <translation>未比较数值：%1</translation>
    </message>
    <message>
        <source>Parameter-weighted mean relative change of the pairs below</source>
        <translation>下方各张量对按参数加权的平均相对变化</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>Dtype</source>
        <translation>数据类型</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Rel. change</source>
        <translation>相对变化</translation>
    </message>
    <message>
        <source>Cosine</source>
        <translation>余弦相似度</translation>
    </message>
    <message>
        <source>Max |a−b|</source>
        <translation>最大 |a−b|</translation>
    </message>
    <message>
        <source>Mean |a−b|</source>
        <translation>平均 |a−b|</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>变化比例</translation>
    </message>
    <message>
        <source>Relative L2 change ‖a − b‖ / ‖a‖; for a group, the parameter-weighted mean over its pairs</source>
        <translation>相对 L2 变化 ‖a − b‖ / ‖a‖；对分组而言，是其张量对按参数加权的平均值</translation>
    </message>
    <message>
        <source>Cosine similarity a·b / (‖a‖ ‖b‖)</source>
        <translation>余弦相似度 a·b / (‖a‖ ‖b‖)</translation>
    </message>
    <message>
        <source>Largest absolute difference of an element</source>
        <translation>单个元素的最大绝对差</translation>
    </message>
    <message>
        <source>Mean absolute difference over the elements</source>
        <translation>所有元素的平均绝对差</translation>
    </message>
    <message>
        <source>Share of elements whose absolute difference exceeds the tolerance (atol)</source>
        <translation>绝对差超过容差（atol）的元素比例</translation>
    </message>
    <message>
        <source>Elements of A (of B for names only B has)</source>
        <translation>A 的元素数（仅 B 有的名称则为 B 的元素数）</translation>
    </message>
</context>
<context>
    <name>DiffWindow</name>
    <message>
        <source>All pairs</source>
        <translation>全部张量对</translation>
    </message>
    <message>
        <source>Differences only</source>
        <translation>仅显示差异</translation>
    </message>
    <message>
        <source>Changed values</source>
        <translation>数值已变</translation>
    </message>
    <message>
        <source>Missing on one side</source>
        <translation>一侧缺失</translation>
    </message>
    <message>
        <source>Shape or dtype changed</source>
        <translation>形状或数据类型已变</translation>
    </message>
    <message>
        <source>Identical only</source>
        <translation>仅显示相同</translation>
    </message>
    <message>
        <source>Comparison cancelled.</source>
        <translation>比较已取消。</translation>
    </message>
    <message>
        <source>Checkpoint %1</source>
        <translation>检查点 %1</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>更改…</translation>
    </message>
    <message>
        <source>Compare another file as A</source>
        <translation>以另一个文件作为 A 进行比较</translation>
    </message>
    <message>
        <source>Compare another file as B</source>
        <translation>以另一个文件作为 B 进行比较</translation>
    </message>
    <message>
        <source>Swap A ⇄ B</source>
        <translation>交换 A ⇄ B</translation>
    </message>
    <message>
        <source>&lt;b&gt;A&lt;/b&gt;</source>
        <translation>&lt;b&gt;A&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;B&lt;/b&gt;</source>
        <translation>&lt;b&gt;B&lt;/b&gt;</translation>
    </message>
    <message>
        <source>e.g. module.</source>
        <translation>例如 module.</translation>
    </message>
    <message>
        <source>Removed from the start of A&apos;s names before pairing</source>
        <translation>配对前从 A 的名称开头去掉</translation>
    </message>
    <message>
        <source>Removed from the start of B&apos;s names before pairing</source>
        <translation>配对前从 B 的名称开头去掉</translation>
    </message>
    <message>
        <source>Elements that differ by at most this much count as unchanged</source>
        <translation>相差不超过此值的元素视为未变化</translation>
    </message>
    <message>
        <source>All tensors</source>
        <translation>全部张量</translation>
    </message>
    <message>
        <source>Compare every tensor by its full path (optimizer state too), not just the two model states</source>
        <translation>按完整路径比较所有张量（包括优化器状态），而不只是两个模型状态</translation>
    </message>
    <message>
        <source>Strip prefix from A:</source>
        <translation>去掉 A 的前缀：</translation>
    </message>
    <message>
        <source>from B:</source>
        <translation>去掉 B 的前缀：</translation>
    </message>
    <message>
        <source>Tolerance (atol):</source>
        <translation>容差（atol）：</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Filter names (glob: layer1.*  or text)   Ctrl+F</source>
        <translation>筛选名称（通配符：layer1.* 或文本）   Ctrl+F</translation>
    </message>
    <message>
        <source>Flat list</source>
        <translation>平铺列表</translation>
    </message>
    <message>
        <source>One row per pair instead of the module tree: sorting then ranks all pairs (Ctrl+L)</source>
        <translation>每个张量对一行，而不是模块树：排序时对所有张量对统一排名（Ctrl+L）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Compare &amp;With… (B)</source>
        <translation>与…比较(&amp;W)（B）</translation>
    </message>
    <message>
        <source>Change &amp;A…</source>
        <translation>更改 A(&amp;A)…</translation>
    </message>
    <message>
        <source>Compare &amp;Again</source>
        <translation>重新比较(&amp;A)</translation>
    </message>
    <message>
        <source>Export as &amp;JSON…</source>
        <translation>导出为 JSON(&amp;J)…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Export as &amp;CSV…</source>
        <translation>导出为 CSV(&amp;C)…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+E</source>
        <translation>Ctrl+Shift+E</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>关闭(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Find Names</source>
        <translation>查找名称(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Differences Only</source>
        <translation>仅显示差异(&amp;D)</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>&amp;Flat List</source>
        <translation>平铺列表(&amp;F)</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>&amp;Expand All</source>
        <translation>全部展开(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Collapse All</source>
        <translation>全部折叠(&amp;C)</translation>
    </message>
    <message>
        <source>Comparing %1 with %2 …</source>
        <translation>正在比较 %1 与 %2 …</translation>
    </message>
    <message>
        <source>%1 names only in one side pair up once the prefix &lt;b&gt;%2&lt;/b&gt; is removed from %3. &lt;a href=&quot;strip&quot;&gt;Strip it from %3&lt;/a&gt;</source>
        <translation>从 %3 去掉前缀 &lt;b&gt;%2&lt;/b&gt; 后，有 %1 个只在一侧的名称可以配对。&lt;a href=&quot;strip&quot;&gt;从 %3 去掉它&lt;/a&gt;</translation>
    </message>
    <message>
        <source>Cannot compare</source>
        <translation>无法比较</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>Compare Checkpoints — Checkpoint Studio</source>
        <translation>比较检查点 — 检查点工作室</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>%1 ⇄ %2 — Checkpoint Studio</source>
        <translation>%1 ⇄ %2 — 检查点工作室</translation>
    </message>
    <message>
        <source>Drop two checkpoints here, or use File &gt; Compare With…</source>
        <translation>把两个检查点拖放到这里，或使用“文件 &gt; 与…比较”</translation>
    </message>
    <message>
        <source>The compared tensors are identical.</source>
        <translation>比较的张量完全相同。</translation>
    </message>
    <message>
        <source>The checkpoints differ.</source>
        <translation>两个检查点不同。</translation>
    </message>
    <message>
        <source>1 name, %2 shown; %3 compared in %4.</source>
        <translation>1 个名称，显示 %2 个；在 %4 内比较了 %3。</translation>
    </message>
    <message>
        <source>%1 names, %2 shown; %3 compared in %4.</source>
        <translation>%1 个名称，显示 %2 个；在 %4 内比较了 %3。</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>Most changed: %1 (%2).</source>
        <translation>变化最大：%1（%2）。</translation>
    </message>
    <message>
        <source>%1: %2 of its %3 pairs selected</source>
        <translation>%1：已选中其 %3 个张量对中的 %2 个</translation>
    </message>
    <message>
        <source>%1: %2 pairs, selected as a group</source>
        <translation>%1：%2 个张量对，已作为分组选中</translation>
    </message>
    <message>
        <source>Cannot export the diff</source>
        <translation>无法导出比较结果</translation>
    </message>
    <message>
        <source>Wrote %1 pairs to %2</source>
        <translation>已将 %1 个张量对写入 %2</translation>
    </message>
    <message>
        <source>CSV table (*.csv)</source>
        <translation>CSV 表格 (*.csv)</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Export Diff</source>
        <translation>导出比较结果</translation>
    </message>
    <message>
        <source>Checkpoint A</source>
        <translation>检查点 A</translation>
    </message>
    <message>
        <source>Compare With (B)</source>
        <translation>与…比较（B）</translation>
    </message>
    <message>
        <source>%1 rows selected</source>
        <translation>已选择 %1 行</translation>
    </message>
    <message>
        <source>%1 selected: %2 pairs</source>
        <translation>已选择 %1：%2 对</translation>
    </message>
    <message>
        <source>%1 selected</source>
        <translation>已选择 %1</translation>
    </message>
    <message>
        <source>%1 selected; its bar on the chart: %2</source>
        <translation>已选择 %1；其在图表中的条形：%2</translation>
    </message>
    <message>
        <source>%1 is not among the compared pairs</source>
        <translation>%1 不在比较的张量对中</translation>
    </message>
</context>
<context>
    <name>EntryTableModel</name>
    <message>
        <source>(root)</source>
        <translation>（根）</translation>
    </message>
    <message>
        <source>Entry</source>
        <translation>条目</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
</context>
<context>
    <name>ErrorBox</name>
    <message>
        <source>out of memory</source>
        <translation>内存不足</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Opening cancelled.</source>
        <translation>打开已取消。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>Co&amp;mpare With…</source>
        <translation>与…比较(&amp;M)…</translation>
    </message>
    <message>
        <source>Diff this checkpoint (A) against another one (B)</source>
        <translation>将此检查点（A）与另一个检查点（B）比较</translation>
    </message>
    <message>
        <source>&amp;Transplant Weights…</source>
        <translation>移植权重(&amp;T)…</translation>
    </message>
    <message>
        <source>Copy the weights whose names and shapes match from a pretrained checkpoint into this one</source>
        <translation>从预训练检查点复制名称和形状都匹配的权重到此检查点</translation>
    </message>
    <message>
        <source>&amp;Save Freeze List</source>
        <translation>保存冻结列表(&amp;S)</translation>
    </message>
    <message>
        <source>Write frozen_layers.json beside the checkpoint (or where it was last exported)</source>
        <translation>在检查点旁边（或上次导出的位置）写入 frozen_layers.json</translation>
    </message>
    <message>
        <source>&amp;Export Freeze List As…</source>
        <translation>冻结列表另存为(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Import Freeze List…</source>
        <translation>导入冻结列表(&amp;I)…</translation>
    </message>
    <message>
        <source>Save &amp;Checkpoint As…</source>
        <translation>检查点另存为(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Find Parameters</source>
        <translation>查找参数(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>首选项(&amp;P)…</translation>
    </message>
    <message>
        <source>F&amp;reeze</source>
        <translation>冻结(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Toggle Selected</source>
        <translation>切换所选项(&amp;T)</translation>
    </message>
    <message>
        <source>Freeze &amp;First N…</source>
        <translation>冻结前 N 个(&amp;F)…</translation>
    </message>
    <message>
        <source>Freeze &amp;Indices…</source>
        <translation>按索引冻结(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Invert</source>
        <translation>反转(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Unfreeze All</source>
        <translation>全部解冻(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Expand All</source>
        <translation>全部展开(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Collapse All</source>
        <translation>全部折叠(&amp;C)</translation>
    </message>
    <message>
        <source>Compute &amp;Statistics for All Tensors</source>
        <translation>计算所有张量的统计量(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Open &amp;Example Checkpoint</source>
        <translation>打开示例检查点(&amp;E)</translation>
    </message>
    <message>
        <source>Example not found</source>
        <translation>找不到示例</translation>
    </message>
    <message>
        <source>The bundled example checkpoint is not installed.</source>
        <translation>未安装自带的示例检查点。</translation>
    </message>
    <message>
        <source>&amp;Compare Example Checkpoints</source>
        <translation>比较示例检查点(&amp;C)</translation>
    </message>
    <message>
        <source>The bundled example checkpoints are not installed.</source>
        <translation>未安装自带的示例检查点。</translation>
    </message>
    <message>
        <source>&amp;Transplant Example Weights</source>
        <translation>移植示例权重(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;About Checkpoint Studio</source>
        <translation>关于检查点工作室(&amp;A)</translation>
    </message>
    <message>
        <source>About Checkpoint Studio</source>
        <translation>关于检查点工作室</translation>
    </message>
    <message>
        <source>&lt;b&gt;Checkpoint Studio %1&lt;/b&gt;&lt;p&gt;Inspect, freeze and save PyTorch checkpoints without Python and without running code from the file.&lt;/p&gt;</source>
        <translation>&lt;b&gt;检查点工作室 %1&lt;/b&gt;&lt;p&gt;无需 Python、也不执行文件中的任何代码，即可查看、冻结和保存 PyTorch 检查点。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Undo %1</source>
        <translation>撤销(&amp;U) %1</translation>
    </message>
    <message>
        <source>&amp;Redo %1</source>
        <translation>重做(&amp;R) %1</translation>
    </message>
    <message>
        <source>Checkpoint Studio</source>
        <translation>检查点工作室</translation>
    </message>
    <message>
        <source>%1[*] - Checkpoint Studio</source>
        <translation>%1[*] - 检查点工作室</translation>
    </message>
    <message>
        <source>Open a checkpoint with File &gt; Open (Ctrl+O), or drop one here.</source>
        <translation>用“文件 &gt; 打开”（Ctrl+O）打开一个检查点，或把它拖放到这里。</translation>
    </message>
    <message>
        <source>%1 parameters: %2 trainable, %3 frozen (%4%)   |   %5 of %6 parameter tensors frozen   |   %7</source>
        <translation>%1 个参数：%2 个可训练，%3 个已冻结（%4%）   |   %6 个参数张量中已冻结 %5 个   |   %7</translation>
    </message>
    <message>
        <source>Unsaved freeze changes</source>
        <translation>冻结状态有未保存的更改</translation>
    </message>
    <message>
        <source>The freeze state of %1 has changes that are not saved.</source>
        <translation>%1 的冻结状态有尚未保存的更改。</translation>
    </message>
    <message>
        <source>Reading %1 …</source>
        <translation>正在读取 %1 …</translation>
    </message>
    <message>
        <source>Open Checkpoint</source>
        <translation>打开检查点</translation>
    </message>
    <message>
        <source>Cannot open %1</source>
        <translation>无法打开 %1</translation>
    </message>
    <message>
        <source>Freeze indices</source>
        <translation>按索引冻结</translation>
    </message>
    <message>
        <source>Freeze First N</source>
        <translation>冻结前 N 个</translation>
    </message>
    <message>
        <source>Freeze the first N parameters in model order (buffers excluded), as
for i, (name, p) in enumerate(model.named_parameters()): if i &lt; N: freeze</source>
        <translation>按模型顺序冻结前 N 个参数（不含缓冲区），相当于
for i, (name, p) in enumerate(model.named_parameters()): if i &lt; N: freeze</translation>
    </message>
    <message>
        <source>Freeze Indices</source>
        <translation>按索引冻结</translation>
    </message>
    <message>
        <source>Parameter indices in model order (0 to %1), e.g. 0,1,5-9:</source>
        <translation>按模型顺序的参数索引（0 到 %1），例如 0,1,5-9：</translation>
    </message>
    <message>
        <source>Computing statistics…</source>
        <translation>正在计算统计量…</translation>
    </message>
    <message>
        <source>Cannot write the freeze list</source>
        <translation>无法写入冻结列表</translation>
    </message>
    <message>
        <source>frozen_layers.json (*.json)</source>
        <translation>frozen_layers.json (*.json)</translation>
    </message>
    <message>
        <source>Text list, one name per line (*.txt)</source>
        <translation>文本列表，每行一个名称 (*.txt)</translation>
    </message>
    <message>
        <source>Python snippet with the optimizer filter (*.py)</source>
        <translation>带优化器过滤的 Python 代码片段 (*.py)</translation>
    </message>
    <message>
        <source>Export Freeze List</source>
        <translation>导出冻结列表</translation>
    </message>
    <message>
        <source>Freeze list imported</source>
        <translation>已导入冻结列表</translation>
    </message>
    <message>
        <source>Cannot import the freeze list</source>
        <translation>无法导入冻结列表</translation>
    </message>
    <message>
        <source>Import Freeze List</source>
        <translation>导入冻结列表</translation>
    </message>
    <message>
        <source>Saving %1 …</source>
        <translation>正在保存 %1 …</translation>
    </message>
    <message>
        <source>Saving cancelled; nothing was written.</source>
        <translation>保存已取消；没有写入任何内容。</translation>
    </message>
    <message>
        <source>Cannot save the checkpoint</source>
        <translation>无法保存检查点</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>Replace the checkpoint?</source>
        <translation>替换该检查点？</translation>
    </message>
    <message>
        <source>%1 is the checkpoint you opened. Replace it with the saved version?</source>
        <translation>%1 是您打开的检查点。要用保存的版本替换它吗？</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <source>Open %1 now?</source>
        <translation>现在打开 %1 吗？</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>打开 %1</translation>
    </message>
    <message>
        <source>Compare %1 with %2</source>
        <translation>比较 %1 与 %2</translation>
    </message>
    <message>
        <source>Compare %1 With</source>
        <translation>将 %1 与…比较</translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation>打开文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder (model.safetensors, sharded indexes, pytorch_model.bin)</source>
        <translation>打开 Hugging Face 模型文件夹（model.safetensors、分片索引、pytorch_model.bin）</translation>
    </message>
    <message>
        <source>&amp;Save Freeze List to %1</source>
        <translation>保存冻结列表到 %1(&amp;S)</translation>
    </message>
    <message>
        <source>Open Model Folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <source>Warning: this file stores its tensors in file order (safetensors and sharded checkpoints are usually
sorted by name), not in model order. Counting here follows the file order.</source>
        <translation>警告：此文件按文件顺序存储张量（safetensors 和分片检查点通常按名称排序），
而不是模型中的顺序。这里的计数按文件顺序进行。</translation>
    </message>
    <message>
        <source>Exported %1 (%2 frozen); Save Freeze List still writes %3</source>
        <translation>已导出 %1（%2 个已冻结）；保存冻结列表仍写入 %3</translation>
    </message>
    <message>
        <source>Saved the freeze list to %1 (%2 frozen)</source>
        <translation>已将冻结列表保存到 %1（%2 个已冻结）</translation>
    </message>
    <message>
        <source>Cannot save the freeze list</source>
        <translation>无法保存冻结列表</translation>
    </message>
    <message>
        <source>%1 names in %2 match no parameter of this checkpoint, e.g. %3</source>
        <translation>%2 中有 %1 个名称与此检查点的参数都不匹配，例如 %3</translation>
    </message>
    <message>
        <source>Freeze lists (*.json *.txt *.py);;All files (*)</source>
        <translation>冻结列表 (*.json *.txt *.py);;所有文件 (*)</translation>
    </message>
    <message>
        <source>and kept the %1 names of other checkpoints that were in it</source>
        <translation>并保留了文件中属于其他检查点的 %1 个名称</translation>
    </message>
    <message>
        <source>Show %1 in a Diff With</source>
        <translation>在与其他检查点的比较中显示 %1</translation>
    </message>
    <message>
        <source>Saved %1 shards, listed in %2</source>
        <translation>已保存 %1 个分片，列于 %2</translation>
    </message>
    <message>
        <source>Cannot compute the statistics</source>
        <translation>无法计算统计信息</translation>
    </message>
    <message>
        <source>Computed the statistics of %1 tensors</source>
        <translation>已计算 %1 个张量的统计信息</translation>
    </message>
</context>
<context>
    <name>ParameterPanel</name>
    <message>
        <source>Filter parameters (glob: layer1.*  or text)   Ctrl+F</source>
        <translation>筛选参数（通配符：layer1.* 或文本）   Ctrl+F</translation>
    </message>
    <message>
        <source>Glob</source>
        <translation>通配符</translation>
    </message>
    <message>
        <source>Regex</source>
        <translation>正则表达式</translation>
    </message>
    <message>
        <source>Freeze matching</source>
        <translation>冻结匹配项</translation>
    </message>
    <message>
        <source>Freeze every parameter the filter matches</source>
        <translation>冻结筛选条件匹配的所有参数</translation>
    </message>
    <message>
        <source>Unfreeze matching</source>
        <translation>解冻匹配项</translation>
    </message>
    <message>
        <source>Unfreeze every parameter the filter matches</source>
        <translation>解冻筛选条件匹配的所有参数</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>Dtype</source>
        <translation>数据类型</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Frozen</source>
        <translation>已冻结</translation>
    </message>
    <message>
        <source>No filter</source>
        <translation>没有筛选条件</translation>
    </message>
    <message>
        <source>Type a glob (layer1.*) or a regular expression in the filter first.</source>
        <translation>请先在筛选框中输入通配符（layer1.*）或正则表达式。</translation>
    </message>
    <message>
        <source>%1 parameters match &apos;%2&apos;</source>
        <translation>有 %1 个参数匹配“%2”</translation>
    </message>
    <message>
        <source>Copied %1</source>
        <translation>已复制 %1</translation>
    </message>
    <message>
        <source>&amp;Copy Name</source>
        <translation>复制名称(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Freeze This Subtree</source>
        <translation>冻结此子树(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Freeze</source>
        <translation>冻结(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Unfreeze This Subtree</source>
        <translation>解冻此子树(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Unfreeze</source>
        <translation>解冻(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Show in Diff With…</source>
        <translation>在比较中显示(&amp;S)…</translation>
    </message>
    <message>
        <source>Co&amp;mpare With…</source>
        <translation>与…比较(&amp;M)…</translation>
    </message>
</context>
<context>
    <name>ParameterTreeModel</name>
    <message>
        <source>%1 of %2 parameters frozen</source>
        <translation>%2 个参数中已冻结 %1 个</translation>
    </message>
    <message>
        <source>A buffer: not trained, so it cannot be frozen</source>
        <translation>缓冲区：不参与训练，因此不能冻结</translation>
    </message>
    <message>
        <source>Freeze %1</source>
        <translation>冻结 %1</translation>
    </message>
    <message>
        <source>Unfreeze %1</source>
        <translation>解冻 %1</translation>
    </message>
    <message>
        <source>Ticked parameters are frozen (requires_grad=False). A group&apos;s box freezes its whole subtree.</source>
        <translation>勾选的参数会被冻结（requires_grad=False）。勾选分组会冻结其整个子树。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Frozen</source>
        <translation>已冻结</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>Dtype</source>
        <translation>数据类型</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>Std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>Min</source>
        <translation>最小值</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>最大值</translation>
    </message>
    <message>
        <source>%1 parameters; the %2 elements of buffers below are not counted</source>
        <translation>%1 个参数；下方缓冲区的 %2 个元素不计入</translation>
    </message>
    <message>
        <source>Parameter elements. A group counts its parameters only, as the status bar does; a buffer (grey) shows its own elements.</source>
        <translation>参数元素数。分组只统计其中的参数（与状态栏一致）；缓冲区（灰色）显示其自身的元素数。</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <source>Compute the selected tensor&apos;s statistics and histogram as soon as it is selected</source>
        <translation>选中张量后立即计算其统计量和直方图</translation>
    </message>
    <message>
        <source>Preferences — Checkpoint Studio</source>
        <translation>首选项 — 检查点工作室</translation>
    </message>
    <message>
        <source>Turn this off for checkpoints on slow disks or with huge tensors: statistics are then computed when you click “Compute statistics and histogram” in the details.</source>
        <translation>对于慢速磁盘上或含有超大张量的检查点，可以关闭此项：之后只有在详情中点击“计算统计量和直方图”时才会计算。</translation>
    </message>
    <message>
        <source>frozen_layers.json (the seed&apos;s format)</source>
        <translation>frozen_layers.json（原始脚本的格式）</translation>
    </message>
    <message>
        <source>Text list, one name per line</source>
        <translation>文本列表，每行一个名称</translation>
    </message>
    <message>
        <source>Python snippet with the optimizer filter</source>
        <translation>带优化器过滤的 Python 代码片段</translation>
    </message>
    <message>
        <source>Export freeze lists as:</source>
        <translation>冻结列表导出格式：</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>The language takes effect when Checkpoint Studio starts again.</source>
        <translation>语言设置将在重新启动检查点工作室后生效。</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <source>Checkpoints (*.pt *.pth *.bin *.ckpt *.th *.tar *.gz *.safetensors *.json);;All files (*)</source>
        <translation>检查点 (*.pt *.pth *.bin *.ckpt *.th *.tar *.gz *.safetensors *.json);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>QToolButton</name>
    <message>
        <source>Click to show or hide these rows</source>
        <translation>点击以显示或隐藏这些行</translation>
    </message>
</context>
<context>
    <name>RecentFilesMenu</name>
    <message>
        <source>Clear List</source>
        <translation>清空列表</translation>
    </message>
</context>
<context>
    <name>SafetyBanner</name>
    <message>
        <source> and %1 more</source>
        <translation> 等另外 %1 个</translation>
    </message>
    <message>
        <source>What this file would do in Python</source>
        <translation>此文件在 Python 中会做什么</translation>
    </message>
    <message>
        <source>Python&apos;s &lt;tt&gt;torch.load&lt;/tt&gt; needs &lt;tt&gt;weights_only=False&lt;/tt&gt; for this file and would then import and call %1. Nothing of it runs here. &lt;a href=&quot;details&quot;&gt;Details&lt;/a&gt;</source>
        <translation>Python 的 &lt;tt&gt;torch.load&lt;/tt&gt; 需要 &lt;tt&gt;weights_only=False&lt;/tt&gt; 才能读取此文件，并会导入和调用 %1。这里不会运行其中任何内容。&lt;a href=&quot;details&quot;&gt;详情&lt;/a&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Dangerous:&lt;/b&gt; loading this file with Python&apos;s &lt;tt&gt;torch.load&lt;/tt&gt; would run %1. Checkpoint Studio never runs it; the file is open for inspection only. &lt;a href=&quot;details&quot;&gt;Details&lt;/a&gt;</source>
        <translation>&lt;b&gt;危险：&lt;/b&gt;用 Python 的 &lt;tt&gt;torch.load&lt;/tt&gt; 加载此文件会运行 %1。检查点工作室从不运行它；此文件仅供查看。&lt;a href=&quot;details&quot;&gt;详情&lt;/a&gt;</translation>
    </message>
    <message>
        <source>%1 at byte %2</source>
        <translation>%1 的第 %2 字节</translation>
    </message>
    <message>
        <source> (built on the stack)</source>
        <translation>（在栈上构造）</translation>
    </message>
    <message>
        <source>Runs code: %1</source>
        <translation>会运行代码：%1</translation>
    </message>
    <message>
        <source>Imported and called: %1</source>
        <translation>会被导入并调用：%1</translation>
    </message>
</context>
<context>
    <name>SaveCheckpointDialog</name>
    <message>
        <source>Model state only (a state_dict: no optimizer state, epoch …)</source>
        <translation>只保存模型状态（state_dict：不含优化器状态、epoch 等）</translation>
    </message>
    <message>
        <source>Store the freeze state (parameters saved as nn.Parameter with requires_grad)</source>
        <translation>保存冻结状态（参数保存为带 requires_grad 的 nn.Parameter）</translation>
    </message>
    <message>
        <source>Save Checkpoint As</source>
        <translation>检查点另存为</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Keep as is</source>
        <translation>保持不变</translation>
    </message>
    <message>
        <source>Floating tensors:</source>
        <translation>浮点张量：</translation>
    </message>
    <message>
        <source>e.g. module.</source>
        <translation>例如 module.</translation>
    </message>
    <message>
        <source>Strip prefix:</source>
        <translation>去掉前缀：</translation>
    </message>
    <message>
        <source>A TorchScript archive is re-saved through LibTorch with each parameter&apos;s requires_grad from the freeze state; its keys cannot be changed.</source>
        <translation>TorchScript 归档通过 LibTorch 重新保存，每个参数的 requires_grad 取自冻结状态；其键名不能更改。</translation>
    </message>
    <message>
        <source>safetensors files stay safetensors; they cannot store requires_grad, so export the freeze list as well.</source>
        <translation>safetensors 文件仍保存为 safetensors；它无法保存 requires_grad，因此请同时导出冻结列表。</translation>
    </message>
    <message>
        <source>Checkpoints (*.pt *.pth *.bin *.ckpt *.safetensors);;All files (*)</source>
        <translation>检查点 (*.pt *.pth *.bin *.ckpt *.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <source>The module&apos;s state_dict() is written as a torch.save zip, which torch.load(weights_only=True) reads; the TorchScript code is left out.</source>
        <translation>模块的 state_dict() 写成 torch.save zip，torch.load(weights_only=True) 可以读取；不包含 TorchScript 代码。</translation>
    </message>
    <message>
        <source>model state only</source>
        <translation>仅模型状态</translation>
    </message>
    <message>
        <source>floating tensors as %1</source>
        <translation>浮点张量转为 %1</translation>
    </message>
    <message>
        <source>store the freeze state</source>
        <translation>存储冻结状态</translation>
    </message>
    <message>
        <source>Remembered from your last save: %1.</source>
        <translation>沿用上次保存时的选择：%1。</translation>
    </message>
    <message>
        <source>&amp;Reset to Defaults</source>
        <translation>恢复默认(&amp;R)</translation>
    </message>
    <message>
        <source>Split the model state into shards of at most</source>
        <translation>将模型状态拆分为分片，每片最多</translation>
    </message>
    <message>
        <source>5GB, 500MB, 2GiB or a number of bytes. The shards are named after the file (model-00001-of-00003.safetensors), listed in the file&apos;s name plus .index.json.</source>
        <translation>5GB、500MB、2GiB 或字节数。分片以文件名命名（model-00001-of-00003.safetensors），并列于文件名加 .index.json 的索引中。</translation>
    </message>
    <message>
        <source>Shards:</source>
        <translation>分片：</translation>
    </message>
</context>
<context>
    <name>SaveJob</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>out of memory while saving</source>
        <translation>保存时内存不足</translation>
    </message>
</context>
<context>
    <name>TensorDetailsWidget</name>
    <message>
        <source>Shape:</source>
        <translation>形状：</translation>
    </message>
    <message>
        <source>Dtype:</source>
        <translation>数据类型：</translation>
    </message>
    <message>
        <source>Strides:</source>
        <translation>步长：</translation>
    </message>
    <message>
        <source>Storage:</source>
        <translation>存储：</translation>
    </message>
    <message>
        <source>Trains:</source>
        <translation>参与训练：</translation>
    </message>
    <message>
        <source>Statistics:</source>
        <translation>统计量：</translation>
    </message>
    <message>
        <source>NaN / Inf:</source>
        <translation>NaN / Inf：</translation>
    </message>
    <message>
        <source>First values</source>
        <translation>前几个值</translation>
    </message>
    <message>
        <source>Select a tensor to see its details.</source>
        <translation>选择一个张量以查看其详情。</translation>
    </message>
    <message>
        <source>  (%1 elements, %2)</source>
        <translation>  （%1 个元素，%2）</translation>
    </message>
    <message>
        <source>, offset %1</source>
        <translation>，偏移 %1</translation>
    </message>
    <message>
        <source>its own (%1 elements)</source>
        <translation>独占（%1 个元素）</translation>
    </message>
    <message>
        <source>shared with %1: %2</source>
        <translation>与 %1 个张量共享：%2</translation>
    </message>
    <message>
        <source>Compute statistics and histogram</source>
        <translation>计算统计量和直方图</translation>
    </message>
    <message>
        <source>computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <source>no: outside the model state</source>
        <translation>否：不在模型状态中</translation>
    </message>
    <message>
        <source>no: a buffer</source>
        <translation>否：缓冲区</translation>
    </message>
    <message>
        <source>no: frozen (requires_grad=False)</source>
        <translation>否：已冻结（requires_grad=False）</translation>
    </message>
    <message>
        <source>yes: a trainable parameter</source>
        <translation>是：可训练参数</translation>
    </message>
    <message>
        <source>not available: %1</source>
        <translation>不可用：%1</translation>
    </message>
    <message>
        <source>no elements</source>
        <translation>没有元素</translation>
    </message>
    <message>
        <source>no finite values</source>
        <translation>没有有限值</translation>
    </message>
    <message>
        <source>mean %1, std %2, min %3, max %4</source>
        <translation>均值 %1，标准差 %2，最小值 %3，最大值 %4</translation>
    </message>
    <message>
        <source>%1 NaN, %2 +Inf, %3 -Inf, %4 zeros</source>
        <translation>%1 个 NaN，%2 个 +Inf，%3 个 -Inf，%4 个零</translation>
    </message>
    <message>
        <source>count</source>
        <translation>计数</translation>
    </message>
    <message>
        <source>Histogram of %1 finite values</source>
        <translation>%1 个有限值的直方图</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>位于 %1</translation>
    </message>
    <message>
        <source>dequantized: mean %1, std %2, min %3, max %4</source>
        <translation>反量化后：均值 %1，标准差 %2，最小值 %3，最大值 %4</translation>
    </message>
    <message>
        <source>Layout:</source>
        <translation>布局：</translation>
    </message>
</context>
<context>
    <name>TransplantDialog</name>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>top level</source>
        <translation>顶层</translation>
    </message>
    <message>
        <source>Transplant Weights — Checkpoint Studio</source>
        <translation>移植权重 — 检查点工作室</translation>
    </message>
    <message>
        <source>Checkpoints</source>
        <translation>检查点</translation>
    </message>
    <message>
        <source>Source (pretrained):</source>
        <translation>源（预训练）：</translation>
    </message>
    <message>
        <source>Target (new model):</source>
        <translation>目标（新模型）：</translation>
    </message>
    <message>
        <source>The checkpoint whose weights are copied — choose, or drop a file here</source>
        <translation>要复制其权重的检查点 — 请选择，或把文件拖放到这里</translation>
    </message>
    <message>
        <source>The checkpoint that receives them: its names, shapes, dtypes and format are kept</source>
        <translation>接收权重的检查点：保留其名称、形状、数据类型和格式</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Where the model&apos;s state is inside the checkpoint (found automatically)</source>
        <translation>模型状态在检查点中的位置（自动查找）</translation>
    </message>
    <message>
        <source>Model state:</source>
        <translation>模型状态：</translation>
    </message>
    <message>
        <source>Rules for the source&apos;s names (applied in order: prefixes, renames, include / exclude, first N)</source>
        <translation>源名称的规则（依次应用：前缀、重命名、包含 / 排除、前 N 个）</translation>
    </message>
    <message>
        <source>Removed from the start of the source&apos;s names (several: separate with commas)</source>
        <translation>从源名称开头去掉（多个时用逗号分隔）</translation>
    </message>
    <message>
        <source>Put before every source name (e.g. backbone. when the target embeds the model)</source>
        <translation>加在每个源名称之前（例如目标模型内嵌该模型时用 backbone.）</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Only the first N source tensors that the other rules leave, in the source&apos;s order (0: all)</source>
        <translation>只取其他规则保留下来的前 N 个源张量，按源中的顺序（0：全部）</translation>
    </message>
    <message>
        <source>globs, e.g. layer1.* layer2.*  (empty: everything)</source>
        <translation>通配符，例如 layer1.* layer2.*（留空：全部）</translation>
    </message>
    <message>
        <source>globs, e.g. fc.* classifier.*</source>
        <translation>通配符，例如 fc.* classifier.*</translation>
    </message>
    <message>
        <source>One rename per line, REGEX=REPLACEMENT with \1 for groups, e.g.  ^encoder\.layer\.(\d+)=blocks.\1</source>
        <translation>每行一条重命名规则，格式为 正则=替换，用 \1 引用分组，例如  ^encoder\.layer\.(\d+)=blocks.\1</translation>
    </message>
    <message>
        <source>Strip prefix:</source>
        <translation>去掉前缀：</translation>
    </message>
    <message>
        <source>Add prefix:</source>
        <translation>添加前缀：</translation>
    </message>
    <message>
        <source>First N tensors:</source>
        <translation>前 N 个张量：</translation>
    </message>
    <message>
        <source>Include:</source>
        <translation>包含：</translation>
    </message>
    <message>
        <source>Exclude:</source>
        <translation>排除：</translation>
    </message>
    <message>
        <source>Renames:</source>
        <translation>重命名：</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Filter names (glob or text)   Ctrl+F</source>
        <translation>筛选名称（通配符或文本）   Ctrl+F</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>The target with the copied weights, written in the target&apos;s format</source>
        <translation>带有复制权重的目标，按目标的格式写入</translation>
    </message>
    <message>
        <source>No freeze list</source>
        <translation>不写冻结列表</translation>
    </message>
    <message>
        <source>Freeze the copied parameters</source>
        <translation>冻结复制过来的参数</translation>
    </message>
    <message>
        <source>Freeze everything not copied</source>
        <translation>冻结所有未复制的参数</translation>
    </message>
    <message>
        <source>Also write a frozen_layers.json: fine-tune only the new layers, or only the transplanted ones</source>
        <translation>同时写入 frozen_layers.json：只微调新层，或只微调移植过来的层</translation>
    </message>
    <message>
        <source>frozen_layers.json</source>
        <translation>frozen_layers.json</translation>
    </message>
    <message>
        <source>Open the result when written</source>
        <translation>写入后打开结果</translation>
    </message>
    <message>
        <source>Write to:</source>
        <translation>写入到：</translation>
    </message>
    <message>
        <source>Cancel Reading</source>
        <translation>取消读取</translation>
    </message>
    <message>
        <source>&amp;Write Output</source>
        <translation>写入输出(&amp;W)</translation>
    </message>
    <message>
        <source>Write the target with the copied weights (Ctrl+Return)</source>
        <translation>写入带有复制权重的目标（Ctrl+Return）</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>reading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>Choose the Source (Pretrained) Checkpoint</source>
        <translation>选择源（预训练）检查点</translation>
    </message>
    <message>
        <source>Choose the Target Checkpoint</source>
        <translation>选择目标检查点</translation>
    </message>
    <message>
        <source>Write the Result As</source>
        <translation>结果另存为</translation>
    </message>
    <message>
        <source>Write the Freeze List As</source>
        <translation>冻结列表另存为</translation>
    </message>
    <message>
        <source>Freeze lists (*.json)</source>
        <translation>冻结列表 (*.json)</translation>
    </message>
    <message>
        <source>%1 tensors, %2</source>
        <translation>%1 个张量，%2</translation>
    </message>
    <message>
        <source>no model state found</source>
        <translation>未找到模型状态</translation>
    </message>
    <message>
        <source>Cannot open %1</source>
        <translation>无法打开 %1</translation>
    </message>
    <message>
        <source>%1 unexpected names match missing ones after stripping &lt;b&gt;%2&lt;/b&gt; from the source&apos;s names.</source>
        <translation>从源名称去掉 &lt;b&gt;%2&lt;/b&gt; 后，有 %1 个多余的名称与缺失的名称匹配。</translation>
    </message>
    <message>
        <source>%1 unexpected names match missing ones after adding &lt;b&gt;%2&lt;/b&gt; to the source&apos;s names.</source>
        <translation>给源名称加上 &lt;b&gt;%2&lt;/b&gt; 后，有 %1 个多余的名称与缺失的名称匹配。</translation>
    </message>
    <message>
        <source>Strip it</source>
        <translation>去掉它</translation>
    </message>
    <message>
        <source>Add it</source>
        <translation>加上它</translation>
    </message>
    <message>
        <source>Fix the rules to see the report.</source>
        <translation>请修正规则以查看报告。</translation>
    </message>
    <message>
        <source>Choose a source and a target checkpoint (or drop them here) to see what would be copied.</source>
        <translation>选择源检查点和目标检查点（或把它们拖放到这里），即可查看将复制哪些权重。</translation>
    </message>
    <message>
        <source>%1 of %2 target tensors would be copied (%3 of %4 elements, %5 %); %6 shape mismatch, %7 missing in source. Source: %8 unexpected, %9 left out by rules.</source>
        <translation>目标的 %2 个张量中将复制 %1 个（%4 个元素中的 %3 个，%5 %）；%6 个形状不匹配，%7 个源中缺失。源：%8 个多余，%9 个被规则排除。</translation>
    </message>
    <message>
        <source>%1 are cast to the target&apos;s dtype.</source>
        <translation>其中 %1 个会转换为目标的数据类型。</translation>
    </message>
    <message>
        <source>%1 rows shown.</source>
        <translation>显示 %1 行。</translation>
    </message>
    <message>
        <source>Nothing matches by name and shape yet: adjust the rules</source>
        <translation>还没有名称和形状都匹配的张量：请调整规则</translation>
    </message>
    <message>
        <source>Replace existing files?</source>
        <translation>替换已有文件？</translation>
    </message>
    <message>
        <source>These files exist and would be replaced:
%1</source>
        <translation>以下文件已存在，将被替换：
%1</translation>
    </message>
    <message>
        <source>Not ready</source>
        <translation>尚未就绪</translation>
    </message>
    <message>
        <source>The report is still being updated; try again in a moment.</source>
        <translation>报告仍在更新；请稍后再试。</translation>
    </message>
    <message>
        <source>No freeze list file</source>
        <translation>没有冻结列表文件</translation>
    </message>
    <message>
        <source>Choose where to write the freeze list, or choose “No freeze list”.</source>
        <translation>请选择冻结列表的写入位置，或选择“不写冻结列表”。</translation>
    </message>
    <message>
        <source>Writing %1 …</source>
        <translation>正在写入 %1 …</translation>
    </message>
    <message>
        <source>Writing cancelled; nothing was written.</source>
        <translation>写入已取消；没有写入任何内容。</translation>
    </message>
    <message>
        <source>Cannot write the result</source>
        <translation>无法写入结果</translation>
    </message>
    <message>
        <source>Wrote %1 with %2 copied tensors.</source>
        <translation>已写入 %1，复制了 %2 个张量。</translation>
    </message>
    <message>
        <source>Wrote %1 with %2 frozen parameters.</source>
        <translation>已写入 %1，冻结了 %2 个参数。</translation>
    </message>
</context>
<context>
    <name>TransplantReportModel</name>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Renamed from</source>
        <translation>原名称</translation>
    </message>
    <message>
        <source>In source</source>
        <translation>源中</translation>
    </message>
    <message>
        <source>In target</source>
        <translation>目标中</translation>
    </message>
    <message>
        <source>Elements</source>
        <translation>元素数</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>说明</translation>
    </message>
</context>
<context>
    <name>TransplantStatus</name>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Shape mismatch</source>
        <translation>形状不匹配</translation>
    </message>
    <message>
        <source>Missing in source</source>
        <translation>源中缺失</translation>
    </message>
    <message>
        <source>Unexpected in source</source>
        <translation>源中多余</translation>
    </message>
    <message>
        <source>Left out by rules</source>
        <translation>被规则排除</translation>
    </message>
    <message>
        <source>Same name after the rules and same shape: the source&apos;s values replace the target&apos;s.</source>
        <translation>应用规则后名称相同且形状相同：源的数值替换目标的数值。</translation>
    </message>
    <message>
        <source>Same name, different shape: the target keeps its own tensor.</source>
        <translation>名称相同但形状不同：目标保留自己的张量。</translation>
    </message>
    <message>
        <source>The target&apos;s tensor has no counterpart in the source: it keeps its own values.</source>
        <translation>目标的张量在源中没有对应项：保留其原有数值。</translation>
    </message>
    <message>
        <source>The source&apos;s tensor has no counterpart in the target: it is not used.</source>
        <translation>源的张量在目标中没有对应项：不会被使用。</translation>
    </message>
    <message>
        <source>The include, exclude or first-N rules leave the source&apos;s tensor out.</source>
        <translation>包含、排除或前 N 个规则把该源张量排除在外。</translation>
    </message>
</context>
</TS>
