package com.legacyshop.reporting;

import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/admin/reports")
public class AdminController {

    private final ReportService reports;

    public AdminController(ReportService reports) { this.reports = reports; }

    @GetMapping("/sales")
    public List<Map<String, Object>> sales(@RequestParam(defaultValue = "30") int days) {
        return reports.lastDays(days);
    }

    @GetMapping("/unpaid")
    public List<Map<String, Object>> unpaid() { return reports.unpaid(); }

    @PostMapping("/snapshot")
    public void snapshot() { reports.nightly(); }
}
