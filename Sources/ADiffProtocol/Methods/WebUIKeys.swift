/// WebUI txt2img/img2img payload keys that adiffd accepts without using them: each maps to a
/// rule that says whether the value given makes no difference to the result here.
enum WebUIKeys {
    typealias Rule = @Sendable (_ value: JSONValue, _ payload: [String: JSONValue]) -> Bool

    private static let always: Rule = { _, _ in true }
    private static let falseOrNull: Rule = { value, _ in value == .bool(false) || value == .null }
    private static let emptyOrNull: Rule = { value, _ in
        switch value {
        case .null: true
        case .string(let text): text.isEmpty
        case .array(let items): items.isEmpty
        case .object(let members): members.isEmpty
        default: false
        }
    }
    private static let nonPositive: Rule = { value, _ in (value.intValue ?? 1) <= 0 || value == .null }
    private static let hiresOff: Rule = { _, payload in
        payload["enable_hr"] == nil || payload["enable_hr"] == .bool(false) || payload["enable_hr"] == .null
    }
    private static let refinerOff: Rule = { _, payload in
        emptyOrNull(payload["refiner_checkpoint"] ?? .null, payload)
    }
    private static let noMask: Rule = { _, payload in payload["mask"] == nil || payload["mask"] == .null }

    /// Key → rule. Keys with no effect on pixels are always accepted; feature switches only
    /// when off.
    static let unused: [String: Rule] = [
        // Saving and transport switches: outputs are always written and returned as paths.
        "do_not_save_samples": always, "do_not_save_grid": always, "send_images": always,
        "save_images": always, "override_settings_restore_afterwards": always, "comments": always,
        "force_task_id": always, "include_init_images": always,
        // Features adiffd does not have: accepted only while off.
        "restore_faces": falseOrNull, "tiling": falseOrNull, "enable_hr": falseOrNull,
        "styles": emptyOrNull, "script_name": emptyOrNull, "script_args": emptyOrNull,
        "refiner_checkpoint": emptyOrNull, "refiner_switch_at": refinerOff,
        "seed_resize_from_h": nonPositive, "seed_resize_from_w": nonPositive,
        "firstphase_width": always, "firstphase_height": always, "firstpass_image": emptyOrNull,
        "hr_scale": hiresOff, "hr_upscaler": hiresOff, "hr_second_pass_steps": hiresOff,
        "hr_resize_x": hiresOff, "hr_resize_y": hiresOff, "hr_checkpoint_name": hiresOff,
        "hr_sampler_name": hiresOff, "hr_scheduler": hiresOff, "hr_prompt": hiresOff,
        "hr_negative_prompt": hiresOff, "hr_additional_modules": hiresOff,
        "s_min_uncond": nonPositive,
        // img2img inpainting: only without a mask.
        "mask": emptyOrNull, "mask_blur": noMask, "mask_blur_x": noMask, "mask_blur_y": noMask,
        "inpainting_fill": noMask, "inpaint_full_res": noMask, "inpaint_full_res_padding": noMask,
        "inpainting_mask_invert": noMask, "mask_round": noMask, "resize_mode": always,
        "image_cfg_scale": always, "initial_noise_multiplier": always, "latent_mask": emptyOrNull,
    ]
}
